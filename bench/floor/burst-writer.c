/*
 * Writer for vigil's burst benchmarks (bench/run.mjs): makes file-system
 * changes as fast as one C process can, so a watcher sees a real burst.
 *
 *   cc -O2 -o burst-writer burst-writer.c
 *   ./burst-writer files DIR NDIRS TOTAL
 *       DIR/b0 .. DIR/b{NDIRS-1} must exist; creates TOTAL empty files
 *       DIR/b{i % NDIRS}/f{i} (open O_CREAT|O_EXCL + close), round robin.
 *   ./burst-writer mkdirfill DIR NDIRS NFILES
 *       for each i: mkdir DIR/d{i}, then create DIR/d{i}/f1 .. f{NFILES}
 *       (open, write 1 byte, close) immediately.
 *
 * Prints one JSON line: {"mode":"files","ops":N,"ms":T,"failed":F}
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s files|mkdirfill DIR NDIRS N\n", argv[0]);
    return 2;
  }
  const char *mode = argv[1], *dir = argv[2];
  long ndirs = atol(argv[3]), n = atol(argv[4]), ops = 0, failed = 0;
  char path[4096];
  double t0 = now_ms();
  if (strcmp(mode, "files") == 0) {
    for (long i = 0; i < n; i++) {
      snprintf(path, sizeof path, "%s/b%ld/f%ld", dir, i % ndirs, i);
      int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) { failed++; continue; }
      close(fd);
      ops++;
    }
  } else if (strcmp(mode, "mkdirfill") == 0) {
    for (long i = 0; i < ndirs; i++) {
      snprintf(path, sizeof path, "%s/d%ld", dir, i);
      if (mkdir(path, 0755) != 0) { failed++; continue; }
      ops++;
      for (long j = 1; j <= n; j++) {
        snprintf(path, sizeof path, "%s/d%ld/f%ld", dir, i, j);
        int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0) { failed++; continue; }
        if (write(fd, "x", 1) != 1) failed++;
        close(fd);
        ops++;
      }
    }
  } else {
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
  }
  printf("{\"mode\":\"%s\",\"ops\":%ld,\"ms\":%.2f,\"failed\":%ld}\n", mode, ops, now_ms() - t0, failed);
  return failed ? 1 : 0;
}

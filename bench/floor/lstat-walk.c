/*
 * The "floor" for vigil's polling scanner: the cheapest fair way to look at
 * every entry of a tree once. Walks DIR with opendir/readdir and lstats every
 * entry with fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW) (no path building, no
 * path lookup from the root), recursing into directories. Repeats the walk
 * COUNT times, INTERVAL_MS apart, and prints the CPU time (user+sys, from
 * getrusage) and the number of entries of each walk.
 *
 *   cc -O2 -o lstat-walk lstat-walk.c
 *   ./lstat-walk DIR [COUNT=10] [INTERVAL_MS=1000]
 *
 * Output: one line per scan, "scan N entries E cpu_ms C", then a summary line
 * "median_cpu_ms C entries E" that bench/poll-scanner.mjs parses.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long entries;

static void walk(int dirfd) {
  DIR *d = fdopendir(dirfd);
  if (!d) { close(dirfd); return; }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *n = e->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    struct stat st;
    if (fstatat(dirfd, n, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    entries++;
    if (S_ISDIR(st.st_mode)) {
      int sub = openat(dirfd, n, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (sub >= 0) walk(sub);
    }
  }
  closedir(d); /* closes dirfd too */
}

static double cpu_ms(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [COUNT=10] [INTERVAL_MS=1000]\n", argv[0]);
    return 2;
  }
  int count = argc > 2 ? atoi(argv[2]) : 10;
  int interval = argc > 3 ? atoi(argv[3]) : 1000;
  if (count < 1) count = 1;
  double *cpu = calloc((size_t)count, sizeof *cpu);
  long long last = 0;
  for (int i = 0; i < count; i++) {
    if (i > 0 && interval > 0) {
      struct timespec ts = { interval / 1000, (long)(interval % 1000) * 1000000L };
      nanosleep(&ts, NULL);
    }
    entries = 0;
    double t0 = cpu_ms();
    int fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) { fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno)); return 1; }
    walk(fd);
    cpu[i] = cpu_ms() - t0;
    last = entries;
    printf("scan %d entries %lld cpu_ms %.2f\n", i + 1, entries, cpu[i]);
  }
  qsort(cpu, (size_t)count, sizeof *cpu, cmp_double);
  printf("median_cpu_ms %.2f entries %lld\n", cpu[count / 2], last);
  free(cpu);
  return 0;
}

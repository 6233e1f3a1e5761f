/*
 * The "C floor" for vigil's inotify ready time: walk a tree with
 * opendir/readdir and call inotify_add_watch on every directory (watch first,
 * then list, like vigil), nothing else. vigil's target is <= 1.5x this.
 *
 * Build:  cc -O2 -Wall -o /tmp/inotify-walk bench/floor/inotify-walk.c
 * Run:    /tmp/inotify-walk /dev/shm/tree
 * Prints: one JSON line {"dirs":N,"entries":N,"ms":T,"failed":N}
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MASK (IN_CREATE | IN_DELETE | IN_MOVE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | \
              IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

static char **stack;
static size_t depth, capacity;

static void push(char *path) {
  if (depth == capacity) {
    capacity = capacity ? capacity * 2 : 1024;
    stack = realloc(stack, capacity * sizeof *stack);
    if (!stack) { perror("realloc"); exit(1); }
  }
  stack[depth++] = path;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  double start = now_ms();
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) { perror("inotify_init1"); return 1; }
  long dirs = 0, entries = 0, failed = 0;
  push(strdup(argv[1]));
  while (depth) {
    char *dir = stack[--depth];
    dirs++;
    if (inotify_add_watch(fd, dir, MASK) < 0) failed++;
    DIR *d = opendir(dir);
    if (!d) { failed++; free(dir); continue; }
    size_t len = strlen(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
      entries++;
      unsigned char type = e->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) type = IFTODT(st.st_mode);
      }
      if (type != DT_DIR) continue;
      size_t n = strlen(e->d_name);
      char *child = malloc(len + n + 2);
      memcpy(child, dir, len);
      child[len] = '/';
      memcpy(child + len + 1, e->d_name, n + 1);
      push(child);
    }
    closedir(d);
    free(dir);
  }
  double ms = now_ms() - start;
  printf("{\"dirs\":%ld,\"entries\":%ld,\"ms\":%.2f,\"failed\":%ld}\n", dirs, entries, ms, failed);
  close(fd);
  free(stack);
  return 0;
}

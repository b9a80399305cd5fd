/* Hyperscan's count of every match of a list of literals (bench/compare.sh).
 *
 *   hs_count [--som] [--dump] PATTERNS PATH...
 *
 * PATTERNS is a file of literals, one a line (`tifa lexicon export --format
 * patterns`); each PATH is a file or a folder (walked, every regular file).
 * The literals are compiled with hs_compile_lit_multi in block mode, one id
 * per line, without flags: Hyperscan then reports every match of every
 * literal, overlapping ones and literals inside other literals included,
 * which is what the sum of `tifa count`'s per-entry counts counts (with
 * tifa's normalization, boundary rule and scopes on top). --som adds
 * HS_FLAG_SOM_LEFTMOST (start offsets too; the same matches, slower).
 * --dump prints every match, "line end" (the pattern's line from 0, the end
 * offset in the file), for bench/corpus.py --explain, then the count.
 *
 * Each file is mapped and scanned whole (in pieces of 1 GiB that overlap by
 * the longest literal less one byte beyond that, matches counted once).
 * Prints the number of matches on standard output; the compile time, the
 * scan time and the bytes scanned on standard error. The database is built
 * on every run, as every tool in the comparison builds its automaton.
 *
 * Build: cc -O2 -o hs_count bench/hs_count.c $(pkg-config --cflags --libs libhs)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static hs_database_t *db;
static hs_scratch_t *scratch;
static size_t max_len;
static unsigned long long matches, bytes;
static int dump;

/* Matches that end at or before `skip` in the current piece were counted in
 * the piece before. */
static unsigned long long skip;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx) {
  (void)from, (void)flags;
  if (to > skip) {
    matches++;
    if (dump) printf("%u %llu\n", id, *(unsigned long long *)ctx + to);
  }
  return 0;
}

static void scan_file(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    perror(path);
    exit(2);
  }
  struct stat st;
  if (fstat(fd, &st) < 0) {
    perror(path);
    exit(2);
  }
  size_t len = st.st_size;
  if (len == 0) {
    close(fd);
    return;
  }
  const char *data = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (data == MAP_FAILED) {
    perror(path);
    exit(2);
  }
  const size_t piece = (size_t)1 << 30;
  size_t overlap = max_len > 0 ? max_len - 1 : 0;
  for (size_t at = 0; at < len;) {
    size_t start = at == 0 ? 0 : at - overlap;
    size_t end = len - at > piece ? at + piece : len;
    skip = at - start;
    unsigned long long base = start;
    if (hs_scan(db, data + start, (unsigned)(end - start), 0, scratch, on_match, &base) != HS_SUCCESS) {
      fprintf(stderr, "%s: hs_scan failed\n", path);
      exit(2);
    }
    at = end;
  }
  bytes += len;
  munmap((void *)data, len);
  close(fd);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)ftw;
  if (type == FTW_F && S_ISREG(st->st_mode)) scan_file(path);
  return 0;
}

int main(int argc, char **argv) {
  int som = 0;
  int arg = 1;
  for (; arg < argc && argv[arg][0] == '-' && argv[arg][1] == '-'; arg++) {
    if (strcmp(argv[arg], "--som") == 0)
      som = 1;
    else if (strcmp(argv[arg], "--dump") == 0)
      dump = 1;
    else
      break;
  }
  if (argc - arg < 2) {
    fprintf(stderr, "usage: hs_count [--som] [--dump] PATTERNS PATH...\n");
    return 2;
  }
  FILE *f = fopen(argv[arg], "r");
  if (!f) {
    perror(argv[arg]);
    return 2;
  }
  size_t n = 0, cap = 1024;
  char **pats = malloc(cap * sizeof *pats);
  size_t *lens = malloc(cap * sizeof *lens);
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t got;
  while ((got = getline(&line, &line_cap, f)) > 0) {
    while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) got--;
    if (got == 0) continue;
    if (n == cap) {
      cap *= 2;
      pats = realloc(pats, cap * sizeof *pats);
      lens = realloc(lens, cap * sizeof *lens);
    }
    pats[n] = malloc(got);
    memcpy(pats[n], line, got);
    lens[n] = got;
    if ((size_t)got > max_len) max_len = got;
    n++;
  }
  fclose(f);
  free(line);
  unsigned *flags = malloc(n * sizeof *flags);
  unsigned *ids = malloc(n * sizeof *ids);
  for (size_t i = 0; i < n; i++) {
    flags[i] = som ? HS_FLAG_SOM_LEFTMOST : 0;
    ids[i] = i;
  }

  double t0 = now();
  hs_compile_error_t *err;
  if (hs_compile_lit_multi((const char *const *)pats, flags, ids, lens, n, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
    fprintf(stderr, "hs_compile_lit_multi: %s\n", err->message);
    hs_free_compile_error(err);
    return 2;
  }
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
    fprintf(stderr, "hs_alloc_scratch failed\n");
    return 2;
  }
  double t1 = now();
  for (int i = arg + 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) < 0) {
      perror(argv[i]);
      return 2;
    }
    if (S_ISDIR(st.st_mode))
      nftw(argv[i], visit, 64, FTW_PHYS);
    else
      scan_file(argv[i]);
  }
  double t2 = now();
  printf("%llu\n", matches);
  fprintf(stderr, "hs_count: %zu literals, compile %.3f s, scan %.3f s, %llu bytes (%.0f MB/s)\n", n, t1 - t0, t2 - t1, bytes,
          bytes / 1e6 / (t2 - t1));
  return 0;
}

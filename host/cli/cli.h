/* cli.h - what the files of the sgpu tool share (not installed). */
#ifndef SGPU_CLI_H
#define SGPU_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sgpu.h"

enum { EXIT_OK = 0, EXIT_DEVICE = 1, EXIT_USAGE = 2, EXIT_HELP = -1 };

#define MAX_READ_WORDS (1u << 20)
#define DEFAULT_WAIT_CYCLES 100000000u

typedef struct {
  char name[32];
  uint32_t value;
} var;

typedef struct {
  const char *uri;
  bool json;
  uint32_t poll_limit;
  sgpu_device *dev;
  const char *where;    /* "FILE:LINE" inside a script, else NULL */
  bool in_script;
  bool quiet_failure;   /* under `expect`: the caller judges the status */
  sgpu_status last_st;  /* status of the last device call */
  bool has_result;      /* the command's main result, for `$name = command` */
  uint32_t result;
  /* JSON/text output of the current command */
  bool first_field;
  var *vars;
  size_t nvars;
} cli;

typedef struct {
  uint32_t *v; /* positional numbers */
  size_t n;
  const char *str; /* the positional of a string command (script) */
  sgpu_policy policy;
} args;

typedef struct cmd cmd;
struct cmd {
  const char *name, *synopsis, *summary, *help;
  const char *pos[4]; /* positional names, lower case, for messages */
  int min, max;       /* positional count; max -1: the last name repeats */
  bool opt_policy, string_arg, no_device;
  int (*run)(cli *c, const cmd *k, const args *a);
  int (*check)(cli *c, const cmd *k, const args *a); /* optional, before the device opens */
};

/* The command table (main.c) and dispatch. */
extern const cmd commands[];
extern const size_t num_commands;
const cmd *find_cmd(const char *name);
/* Parse and run one command; argv[0] is its name. */
int run_argv(cli *c, int argc, char **argv);

/* output.c */
void json_str(const char *s);
void out_begin(cli *c, const char *command, const char *status);
void out_key(cli *c, const char *key);
void out_u32(cli *c, const char *key, uint32_t v, bool hex);
void out_u64(cli *c, const char *key, uint64_t v);
void out_str(cli *c, const char *key, const char *s);
void out_end(cli *c);
/* A usage error: message naming the bad value, the command's synopsis; exit code 2. */
int usage_error(cli *c, const cmd *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A failure status from the device or the transport: its name, the library's message. */
int device_failure(cli *c, const char *command, sgpu_status st, const char *detail);
int open_device(cli *c);

/* Check a device call; on failure print it and return its exit code. */
#define CHECK(c, k, call)                                                           \
  do {                                                                              \
    sgpu_status st_ = (call);                                                       \
    (c)->last_st = st_;                                                             \
    if (st_ != SGPU_STATUS_SUCCESS)                                                 \
      return device_failure((c), (k)->name, st_, sgpu_last_error((c)->dev));        \
  } while (0)

/* args.c */
/* Decimal, or hex after 0x. Returns NULL on success, else why not. */
const char *parse_u32(const char *s, uint32_t *out);
const char *policy_name(sgpu_policy p);
const char *pos_name(const cmd *k, size_t i);
void print_help(const cmd *k);
/* Parse argv (after the command name). Returns EXIT_OK, EXIT_USAGE or EXIT_HELP. */
int parse_args(cli *c, const cmd *k, int argc, char **argv, args *a);

/* commands.c */
const char *state_name(uint32_t s);
int run_info(cli *c, const cmd *k, const args *a);
int run_create_process(cli *c, const cmd *k, const args *a);
int run_destroy_process(cli *c, const cmd *k, const args *a);
int run_map_unmap(cli *c, const cmd *k, const args *a);
int run_create_queue(cli *c, const cmd *k, const args *a);
int run_destroy_queue(cli *c, const cmd *k, const args *a);
int run_query(cli *c, const cmd *k, const args *a);
int check_read(cli *c, const cmd *k, const args *a);
int run_read(cli *c, const cmd *k, const args *a);
int run_write(cli *c, const cmd *k, const args *a);
int run_wait_clean(cli *c, const cmd *k, const args *a);
int run_wait_reclaim(cli *c, const cmd *k, const args *a);
int run_doorbell(cli *c, const cmd *k, const args *a);
int run_reg_read(cli *c, const cmd *k, const args *a);
int run_reg_write(cli *c, const cmd *k, const args *a);

/* selftest.c, script.c */
int run_selftest(cli *c, const cmd *k, const args *a);
int run_script(cli *c, const cmd *k, const args *a);

#endif /* SGPU_CLI_H */

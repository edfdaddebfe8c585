/* main.c - the sgpu command-line tool: global options, the command table, dispatch.
 *
 * Exit codes: 0 success, 1 the device (or transport) returned a failure status, 2 usage.
 * Arguments are checked before the device is opened, so a usage error never costs a model
 * start. With --json every command prints one JSON object on stdout, failures included.
 * The rest of the tool: output.c (text/JSON writers), args.c (argument parsing),
 * commands.c (one run_* per subcommand), script.c, selftest.c; cli.h joins them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run_help(cli *c, const cmd *k, const args *a);

/* ------------------------------------------------------------------ the table */

const cmd commands[] = {
    {.name = "info", .synopsis = "", .run = run_info,
     .summary = "Show the device: magic, register-map version, build parameters."},
    {.name = "create-process", .synopsis = "", .run = run_create_process,
     .summary = "Create a process; prints its handle."},
    {.name = "destroy-process", .synopsis = "HANDLE [--policy eager|deferred|host|default]",
     .pos = {"handle"}, .min = 1, .max = 1, .opt_policy = true, .run = run_destroy_process,
     .summary = "Destroy a process; print what was freed and how many cycles it took.",
     .help = "policies:\n"
             "  default   the device's default (CMD_OP.POLICY 0, eager)\n"
             "  eager     the device frees everything before completing\n"
             "  deferred  the device completes once the process is unreachable (DYING: any\n"
             "            command naming it gets STATUS_PROCESS_IS_TERMINATING), then frees\n"
             "            its frames and queues in the background and posts a reclaim event\n"
             "            when they are zeroed (see wait-reclaim, in a script)\n"
             "  host      libsgpu tears it down from the host: one UNMAP per mapped page, one\n"
             "            DESTROY_QUEUE per queue, then DESTROY_PROCESS; it knows only the\n"
             "            pages and queues created through the same open device (use "
             "`script`);\n"
             "            cycles are then the device's cycle counter around the whole "
             "sequence\n\n"
             "output: cycles (doorbell to completion), frames_freed (data + tables; deferred:\n"
             "to be freed by the reclaimer), pt_pages_freed, queues_freed, work_aborted,\n"
             "doorbells_ignored, and the device's per-phase cycles (TD_* registers):\n"
             "validate, stop_drain, tlb, free, release, complete. deferred: free and release\n"
             "are 0 (the background reclaimer's; wait-reclaim shows them); host: the phases\n"
             "of its final DESTROY_PROCESS. If the phase registers cannot be read after a\n"
             "successful destroy, they print as 0 with phases_read 0 and a note on stderr.\n"},
    {.name = "map", .synopsis = "HANDLE VA PAGES", .pos = {"handle", "va", "pages"}, .min = 3,
     .max = 3, .run = run_map_unmap,
     .summary = "Map PAGES fresh zeroed pages at VA (page aligned)."},
    {.name = "unmap", .synopsis = "HANDLE VA PAGES", .pos = {"handle", "va", "pages"},
     .min = 3, .max = 3, .run = run_map_unmap,
     .summary = "Unmap PAGES pages at VA; every page must be mapped."},
    {.name = "create-queue", .synopsis = "HANDLE RING_VA RING_LOG2",
     .pos = {"handle", "ring_va", "ring_log2"}, .min = 3, .max = 3, .run = run_create_queue,
     .summary = "Create a queue, ring at RING_VA (16-byte aligned), 2^RING_LOG2 entries."},
    {.name = "destroy-queue", .synopsis = "HANDLE Q", .pos = {"handle", "queue"}, .min = 2,
     .max = 2, .run = run_destroy_queue, .summary = "Destroy queue Q of the process."},
    {.name = "query", .synopsis = "[HANDLE]", .pos = {"handle"}, .min = 0, .max = 1,
     .run = run_query, .summary = "Report a process, or the device when HANDLE is left out.",
     .help = "The device: frames clean/dirty/used, live processes (DYING ones counted), live\n"
             "queues, doorbells ignored, reclaim_pending (deferred destroys whose reclaim has\n"
             "not finished, RECLAIM_PENDING) and reclaim_seq (reclaim events so far).\n"
             "A process being reclaimed answers STATUS_PROCESS_IS_TERMINATING.\n"},
    {.name = "read", .synopsis = "HANDLE VA [WORDS]", .pos = {"handle", "va", "words"},
     .min = 2, .max = 3, .run = run_read, .check = check_read,
     .summary = "Read WORDS 32-bit words (default 1) at VA through the process's MMU."},
    {.name = "write", .synopsis = "HANDLE VA WORD...", .pos = {"handle", "va", "word"},
     .min = 3, .max = -1, .run = run_write,
     .summary = "Write the words at VA through the process's MMU."},
    {.name = "wait-clean", .synopsis = "[CYCLES]", .pos = {"cycles"}, .min = 0, .max = 1,
     .run = run_wait_clean,
     .summary = "Wait until every freed frame is scrubbed (at most CYCLES, default 1e8).",
     .help = "Also waits for the reclaims of deferred destroys (RECLAIM_PENDING = 0).\n"},
    {.name = "wait-reclaim", .synopsis = "HANDLE [CYCLES]", .pos = {"handle", "cycles"},
     .min = 1, .max = 2, .run = run_wait_reclaim,
     .summary = "Wait for the reclaim event of a process destroyed with --policy deferred.",
     .help = "Waits at most CYCLES device cycles (default 1e8) until the device has zeroed\n"
             "every frame of HANDLE, released its queues and freed its slot. Only a process\n"
             "destroyed with --policy deferred through the same open device can be waited\n"
             "for, so use it in a `script` (each invocation opens the device afresh):\n"
             "  $p = create-process\n"
             "  map $p 0 16\n"
             "  destroy-process $p --policy deferred\n"
             "  wait-reclaim $p\n"
             "output: handle, seq (RECLAIM_SEQ of its event), frames returned, cycles (its\n"
             "DESTROY_PROCESS doorbell to the event), scrub_cycles (its frames reaching the\n"
             "dirty list to all zeroed), free_cycles and release_cycles (the reclaimer's\n"
             "phases), exact (0: later events overtook it before it was read; then the cycle\n"
             "fields are 0), waited_cycles. `$v = wait-reclaim ...` keeps cycles.\n"
             "STATUS_INVALID_PARAMETER: HANDLE was not destroyed deferred through this device;\n"
             "STATUS_IO_TIMEOUT: no event within CYCLES.\n"},
    {.name = "doorbell", .synopsis = "Q WPTR", .pos = {"queue", "wptr"}, .min = 2, .max = 2,
     .run = run_doorbell, .summary = "Ring queue Q's doorbell with write pointer WPTR."},
    {.name = "reg-read", .synopsis = "ADDR", .pos = {"addr"}, .min = 1, .max = 1,
     .run = run_reg_read, .summary = "Read the register at byte offset ADDR."},
    {.name = "reg-write", .synopsis = "ADDR VALUE", .pos = {"addr", "value"}, .min = 2,
     .max = 2, .run = run_reg_write,
     .summary = "Write VALUE to the register at byte offset ADDR."},
    {.name = "selftest", .synopsis = "", .run = run_selftest,
     .summary = "Check two processes are isolated and torn down cleanly; PASS or FAIL.",
     .help = "Creates two processes, maps the same va in both, writes and reads back a\n"
             "pattern through the MMU across a page boundary, destroys one (device default\n"
             "policy), checks its handle is refused and the other is intact, destroys the\n"
             "other host-driven, waits for the scrubber and checks the device is back to\n"
             "its start. Prints PASS/FAIL per check; exits 1 on any failure.\n"},
    {.name = "script", .synopsis = "FILE|-", .pos = {"file"}, .min = 1, .max = 1,
     .string_arg = true, .no_device = true, .run = run_script,
     .summary = "Run commands from FILE (- for stdin), one per line, on ONE open device.",
     .help = "Each `sgpu` invocation opens its device afresh; with sim: that is a new\n"
             "in-process model, so state (processes, mappings) does not survive from one\n"
             "invocation to the next (over tcp:/pty: the sgpu-sim device keeps it, but what\n"
             "libsgpu remembers, such as the pages for --policy host, does not). A script\n"
             "keeps one device open for all its lines.\n\n"
             "Line syntax:\n"
             "  COMMAND ARGS...                 any command but script (no `sgpu`, no --uri)\n"
             "  $NAME = COMMAND ARGS...         keep its result (handle, queue, first word "
             "read)\n"
             "  expect STATUS_NAME COMMAND ...  the command must end with that status\n"
             "  # comment                       blank lines and comments are skipped\n"
             "$NAME in ARGS is replaced by its value. The script stops at the first line\n"
             "that fails, with that line's exit code. Lines are text of at most 4096 bytes;\n"
             "a longer line, a NUL byte or a read error stops it with exit 2.\n\n"
             "example:\n"
             "  $a = create-process\n"
             "  map $a 0x10000 4\n"
             "  write $a 0x10000 0xdeadbeef 1 2 3\n"
             "  expect STATUS_CONFLICTING_ADDRESSES map $a 0x10000 1\n"
             "  destroy-process $a --policy host\n"},
    {.name = "help", .synopsis = "[COMMAND]", .pos = {"command"}, .min = 0, .max = 1,
     .string_arg = true, .no_device = true, .run = run_help,
     .summary = "Show the help of COMMAND, or the list of commands."},
};
const size_t num_commands = sizeof commands / sizeof commands[0];

const cmd *find_cmd(const char *name) {
  for (size_t i = 0; i < num_commands; i++)
    if (!strcmp(commands[i].name, name)) return &commands[i];
  return NULL;
}

static void main_help(void) {
  printf("usage: sgpu [--uri URI] [--json] [--poll-limit N] COMMAND [ARGS]\n\n"
         "The sgpu soft-GPU command-line tool (libsgpu).\n\n"
         "options:\n"
         "  --uri URI         device to open (default sim:):\n"
         "                      sim:             the default model (libsgpu_sim_default.so)\n"
         "                      sim:NAME         the model libsgpu_sim_NAME.so, e.g. sim:small\n"
         "                      sim:/path.so     a model by path\n"
         "                    models are looked up in $SGPU_SIM_DIR, else the build directory\n"
         "                      tcp:HOST:PORT    a device over the wire protocol on TCP, e.g.\n"
         "                                       sgpu-sim --tcp 0 (it prints its URI)\n"
         "                      pty:PATH         the same over a terminal in raw mode, e.g.\n"
         "                                       sgpu-sim --pty (pty:/dev/pts/N)\n"
         "                      serial:PATH[@BAUD]  the same over a serial line, raw 8N1,\n"
         "                                       e.g. serial:/dev/ttyUSB1@3000000 (default)\n"
         "                      usb:VID:PID[:SERIAL][@BAUD]  the same through libusb to an\n"
         "                                       FTDI chip: usb:0403:6010 (iCEBreaker FT2232H),\n"
         "                                       usb:0403:6015 (ULX3S FT231X); ?latency_ms=N\n"
         "                      pcie:DDDD:BB:DD.F  BAR0 of a PCIe device through sysfs\n"
         "                                       resource0, e.g. pcie:0000:01:00.0\n"
         "                    link options: ...?timeout_ms=N (an attempt's wait, 2000),\n"
         "                    retries=N (7), admin=off (register batches, no ADMIN requests)\n"
         "                      shm:NAME         the register bus as a BAR in /dev/shm/sgpu-NAME,\n"
         "                                       served by sgpu-sim --shm NAME; ?timeout_ms=N\n"
         "  --json            print one JSON object per command (failures included)\n"
         "  --poll-limit N    completion polls per command before STATUS_IO_TIMEOUT\n"
         "  --list-commands   print the command names, one per line\n"
         "  -h, --help        this text; COMMAND --help for a command\n\n"
         "commands:\n");
  for (size_t i = 0; i < num_commands; i++) {
    char head[64];
    snprintf(head, sizeof head, "%s %s", commands[i].name, commands[i].synopsis);
    const char *s = commands[i].summary, *nl = strchr(s, '\n');
    printf("  %-45s %.*s\n", head, nl ? (int)(nl - s) : (int)strlen(s), s);
  }
  printf("\nEach invocation opens the device afresh (with sim:, a new model; over tcp: or pty:\n"
         "the same sgpu-sim device, whose state persists): use `script` to run several\n"
         "commands on one open device. Numbers are decimal or 0x hex.\n"
         "Exit status: 0 success, 1 the device returned a failure status, 2 usage error.\n");
}

static int run_help(cli *c, const cmd *k, const args *a) {
  if (a->n == 0) {
    main_help();
    return EXIT_OK;
  }
  const cmd *t = find_cmd(a->str);
  if (!t) return usage_error(c, k, "unknown command '%s'", a->str);
  print_help(t);
  return EXIT_OK;
}

/* Parse and run one command; argv[0] is its name. */
int run_argv(cli *c, int argc, char **argv) {
  const cmd *k = find_cmd(argv[0]);
  if (!k) return usage_error(c, NULL, "unknown command '%s' (sgpu --help lists them)", argv[0]);
  args a;
  int rc = parse_args(c, k, argc - 1, argv + 1, &a);
  if (rc == EXIT_OK && k->check) rc = k->check(c, k, &a);
  if (rc == EXIT_OK && !k->no_device) rc = open_device(c);
  if (rc == EXIT_OK) rc = k->run(c, k, &a);
  free(a.v);
  return rc == EXIT_HELP ? EXIT_OK : rc;
}

int main(int argc, char **argv) {
  cli c = {.uri = "sim:"};
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
      main_help();
      return EXIT_OK;
    } else if (!strcmp(s, "--json")) {
      c.json = true;
    } else if (!strcmp(s, "--list-commands")) {
      for (size_t j = 0; j < num_commands; j++) puts(commands[j].name);
      return EXIT_OK;
    } else if (!strcmp(s, "--uri") || !strncmp(s, "--uri=", 6)) {
      const char *v = s[5] == '=' ? s + 6 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v) return usage_error(&c, NULL, "--uri needs a value (e.g. sim:, sim:small)");
      c.uri = v;
    } else if (!strcmp(s, "--poll-limit") || !strncmp(s, "--poll-limit=", 13)) {
      const char *v = s[12] == '=' ? s + 13 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v) return usage_error(&c, NULL, "--poll-limit needs a number");
      const char *why = parse_u32(v, &c.poll_limit);
      if (why) return usage_error(&c, NULL, "bad poll limit '%s': %s", v, why);
    } else {
      return usage_error(&c, NULL, "unknown option '%s'", s);
    }
  }
  if (i == argc) return usage_error(&c, NULL, "no command given");
  int rc = run_argv(&c, argc - i, argv + i);
  sgpu_close(c.dev);
  free(c.vars);
  return rc;
}


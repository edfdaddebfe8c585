/* test_uri.c - sgpu_open: URI parsing and every way the sim transport can fail, each with
 * its status and a message naming what was wrong (the link transports' own: test_link.c). Needs SGPU_SIM_DIR pointing at the fake
 * models built by mk/tests.mk (libsgpu_sim_fake*.so). */
#include <stdlib.h>
#include <unistd.h>

#include "host_test.h"
#include "sgpu.h"

static char err[1024];

/* Open uri expecting status want and, on failure, a message containing each of needles. */
static void expect_open(const char *uri, sgpu_status want, const char *n1, const char *n2) {
  sgpu_device *dev = (sgpu_device *)1;
  err[0] = '\0';
  sgpu_status st = sgpu_open_ex(uri, &dev, err, sizeof err);
  CHECK(st == want, "open '%s' -> %s (got %s: %s)", uri ? uri : "(NULL)", sgpu_status_str(want),
        sgpu_status_str(st), err);
  if (st == SGPU_STATUS_SUCCESS) {
    CHECK(dev != NULL, "open '%s' sets the device", uri);
    sgpu_close(dev);
    return;
  }
  CHECK(dev == NULL, "failed open '%s' leaves the device NULL", uri ? uri : "(NULL)");
  if (n1) CHECK(strstr(err, n1) != NULL, "message names '%s': %s", n1, err);
  if (n2) CHECK(strstr(err, n2) != NULL, "message names '%s': %s", n2, err);
}

int main(void) {
  const char *dir = getenv("SGPU_SIM_DIR");
  if (!CHECK(dir && *dir, "SGPU_SIM_DIR is set (to the fake models' directory)"))
    return ht_done("test_uri");
  char path[2048], uri[2200];

  /* Schemes. */
  expect_open("nosuch:/dev/ttyUSB0", SGPU_STATUS_NOT_FOUND, "'nosuch'", "sim:, tcp:, pty:");
  expect_open("bogus", SGPU_STATUS_NOT_FOUND, "'bogus'", "scheme");
  expect_open(":x", SGPU_STATUS_NOT_FOUND, "''", NULL);

  /* Model names and paths. */
  snprintf(path, sizeof path, "%s/libsgpu_sim_nosuchmodel.so", dir);
  expect_open("sim:nosuchmodel", SGPU_STATUS_NOT_FOUND, path, "not found");
  snprintf(path, sizeof path, "%s/libsgpu_sim_default.so", dir);
  expect_open("sim:", SGPU_STATUS_NOT_FOUND, path, NULL);
  expect_open(NULL, SGPU_STATUS_NOT_FOUND, path, NULL);
  expect_open("", SGPU_STATUS_NOT_FOUND, path, NULL);
  expect_open("sim:/nonexistent/dir/model.so", SGPU_STATUS_NOT_FOUND,
              "'/nonexistent/dir/model.so'", NULL);
  expect_open("sim:bad name", SGPU_STATUS_NOT_FOUND, "'bad name'", NULL);
  expect_open("sim:fake?colour=red", SGPU_STATUS_NOT_FOUND, "'colour=red'", NULL);

  /* A file that is not a shared object: dlopen's reason is passed on. */
  snprintf(path, sizeof path, "/tmp/sgpu_test_uri_%ld.so", (long)getpid());
  FILE *f = fopen(path, "w");
  if (f) {
    fputs("not an ELF file\n", f);
    fclose(f);
    snprintf(uri, sizeof uri, "sim:%s", path);
    expect_open(uri, SGPU_STATUS_NOT_FOUND, path, "cannot load");
    unlink(path);
  }

  /* Models that load but are wrong. */
  expect_open("sim:fakebadabi", SGPU_STATUS_NOT_FOUND, "ABI version 99", "libsgpu_sim_fakebadabi.so");
  expect_open("sim:fakenostep", SGPU_STATUS_NOT_FOUND, "sgpu_sim_step", "libsgpu_sim_fakenostep.so");
  expect_open("sim:fakebadmagic", SGPU_STATUS_NOT_FOUND, "0x12345678", NULL);

  /* The good ones: by name, by path, with a trace option, NULL errbuf. */
  expect_open("sim:fake", SGPU_STATUS_SUCCESS, NULL, NULL);
  snprintf(uri, sizeof uri, "sim:%s/libsgpu_sim_fake.so", dir);
  expect_open(uri, SGPU_STATUS_SUCCESS, NULL, NULL);
  expect_open("sim:fake?trace=/tmp/sgpu_unused.fst", SGPU_STATUS_SUCCESS, NULL, NULL);
  sgpu_device *dev = NULL;
  CHECK(sgpu_open("sim:fake", &dev) == SGPU_STATUS_SUCCESS && dev, "sgpu_open without errbuf");
  sgpu_info info;
  if (dev) {
    memset(&info, 0, sizeof info);
    sgpu_status ist = sgpu_get_info(dev, &info);
    CHECK(ist == SGPU_STATUS_SUCCESS && info.magic == SGPU_MAGIC,
          "get_info reads the magic 0x%08x (%s)", info.magic, sgpu_status_str(ist));
    CHECK(!strcmp(sgpu_last_error(dev), ""), "no last error yet ('%s')", sgpu_last_error(dev));
  }
  /* Two devices at once: each its own model instance. */
  sgpu_device *dev2 = NULL;
  sgpu_process p1 = 0, p2 = 0;
  if (CHECK(sgpu_open("sim:fake", &dev2) == SGPU_STATUS_SUCCESS, "a second device opens") &&
      dev) {
    sgpu_create_process(dev, &p1);
    sgpu_create_process(dev2, &p2);
    CHECK(p1 == p2 && p1 != 0, "separate instances hand out the same first handle (0x%08x, 0x%08x)", p1, p2);
  }
  sgpu_close(dev2);
  sgpu_close(dev);
  CHECK(sgpu_open_ex("sim:fake", NULL, err, sizeof err) == SGPU_STATUS_INVALID_PARAMETER,
        "NULL device pointer -> STATUS_INVALID_PARAMETER (%s)", err);

  /* A device that never completes: IO_TIMEOUT after the poll limit, and again afterwards
   * (the library waits for BUSY to clear before trusting the mailbox again). */
  if (CHECK(sgpu_open("sim:fakehang", &dev) == SGPU_STATUS_SUCCESS, "open sim:fakehang")) {
    sgpu_set_poll_limit(dev, 200);
    sgpu_process p;
    sgpu_status st = sgpu_create_process(dev, &p);
    CHECK(st == SGPU_STATUS_IO_TIMEOUT, "a command that never completes -> STATUS_IO_TIMEOUT (%s)",
          sgpu_status_str(st));
    CHECK(strstr(sgpu_last_error(dev), "200 polls") && strstr(sgpu_last_error(dev), "CREATE_PROCESS"),
          "message names the command and the limit: %s", sgpu_last_error(dev));
    st = sgpu_map(dev, 0x10000, 0, 1);
    CHECK(st == SGPU_STATUS_IO_TIMEOUT && strstr(sgpu_last_error(dev), "BUSY"),
          "next command waits for BUSY, then times out: %s: %s", sgpu_status_str(st),
          sgpu_last_error(dev));
    sgpu_close(dev);
  }

  /* The compiled-in directory is used without SGPU_SIM_DIR: absolute, ends in /sim. */
  unsetenv("SGPU_SIM_DIR");
  err[0] = '\0';
  dev = NULL;
  sgpu_status st = sgpu_open_ex("sim:nosuchmodel", &dev, err, sizeof err);
  CHECK(st == SGPU_STATUS_NOT_FOUND && strstr(err, "'/") && strstr(err, "/sim/libsgpu_sim_nosuchmodel.so"),
        "without SGPU_SIM_DIR the build's absolute sim/ directory is searched: %s", err);
  return ht_done("test_uri");
}

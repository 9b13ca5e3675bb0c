/*
 * qemu-zygote: an LD_PRELOAD shim that turns one QEMU process into a fork
 * server for identical destinations (harness/targets/qemu-zygote.ts builds
 * and drives it).
 *
 * Why: half of a QEMU 7.2 start-up's CPU is spent before main(): execve,
 * mapping and relocating 51 shared libraries (the binary is linked BIND_NOW
 * with 122k relocations) and the libraries' and QEMU's constructors. That
 * work is the same for every destination, so the zygote does it once and
 * forks at the entry of QEMU's own main(); each child runs that main with
 * the same argv and environment, exactly as an exec'd QEMU would from there.
 * Forking there is what QEMU itself does for -daemonize (later, even): its
 * RCU code re-creates its call_rcu thread in the child (pthread_atfork).
 *
 * Protocol, lines on the control socket (fd $MIGCOMPAT_ZYGOTE_FD):
 *   driver -> zygote  "F <dir>"        fork a child that chdirs to <dir> and
 *                                      connects its stderr to <dir>/err.sock
 *                     "K <pid> <sig>"  signal a child that is still unreaped
 *   zygote -> driver  "R"              ready, once, before anything else
 *                     "P <pid>"        the child of the last F
 *                     "E <errno>"      the last F could not fork
 *                     "X <pid> <wait status> <CPU microseconds>"  reaped
 * EOF on the control socket: the zygote kills its children, reaps them and
 * exits. Children die with the zygote and the zygote with its driver
 * ($MIGCOMPAT_ZYGOTE_PARENT, PR_SET_PDEATHSIG; not setpriv, which would load
 * this shim too).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

#define MAX_CHILDREN 256

static main_fn real_main;
static pid_t children[MAX_CHILDREN];
static int n_children;

static void say(int fd, const char *line) {
  size_t len = strlen(line);
  while (len > 0) {
    ssize_t n = write(fd, line, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    line += n;
    len -= (size_t)n;
  }
}

static int is_child(pid_t pid) {
  for (int i = 0; i < n_children; i++)
    if (children[i] == pid) return 1;
  return 0;
}

static void forget(pid_t pid) {
  for (int i = 0; i < n_children; i++)
    if (children[i] == pid) {
      children[i] = children[--n_children];
      return;
    }
}

static void reap(int ctl) {
  int status;
  struct rusage ru;
  pid_t pid;
  while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
    forget(pid);
    long long us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    char line[96];
    snprintf(line, sizeof line, "X %d %d %lld\n", (int)pid, status, us);
    say(ctl, line);
  }
}

/* In the child: back to QEMU's signal mask, our fds closed, stderr on the driver's socket. */
static void become_destination(const char *dir, const sigset_t *mask, pid_t zygote, int ctl, int sfd) {
  close(ctl);
  close(sfd);
  sigprocmask(SIG_SETMASK, mask, NULL);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != zygote) _exit(127);
  if (chdir(dir) != 0) _exit(127);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, "err.sock");
  if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) != 0 || dup2(s, 2) != 2) _exit(127);
  close(s);
}

/* Returns only in a child (0) or when the driver is gone (1). */
static int serve(int ctl) {
  sigset_t chld, mask;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &mask);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC);
  if (sfd < 0) return 1;
  pid_t self = getpid();
  say(ctl, "R\n");
  static char buf[8192];
  size_t len = 0;
  for (;;) {
    struct pollfd p[2] = {{.fd = ctl, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) < 0 && errno != EAGAIN) break;
      reap(ctl);
    }
    if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t n = read(ctl, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
    char *nl;
    while ((nl = memchr(buf, '\n', len)) != NULL) {
      *nl = '\0';
      if (buf[0] == 'F' && buf[1] == ' ' && n_children < MAX_CHILDREN) {
        pid_t pid = fork();
        if (pid == 0) {
          become_destination(buf + 2, &mask, self, ctl, sfd);
          return 0;
        }
        char line[48];
        if (pid > 0) children[n_children++] = pid;
        snprintf(line, sizeof line, pid > 0 ? "P %d\n" : "E %d\n", pid > 0 ? (int)pid : errno);
        say(ctl, line);
      } else if (buf[0] == 'F') {
        say(ctl, "E 11\n"); /* EAGAIN: too many children */
      } else if (buf[0] == 'K') {
        int pid = 0, sig = 0;
        if (sscanf(buf + 2, "%d %d", &pid, &sig) == 2 && is_child(pid)) kill(pid, sig);
      }
      size_t used = (size_t)(nl + 1 - buf);
      memmove(buf, nl + 1, len - used);
      len -= used;
    }
    if (len == sizeof buf - 1) len = 0; /* an overlong line: dropped */
  }
  for (int i = 0; i < n_children; i++) kill(children[i], SIGKILL);
  while (n_children > 0 && waitpid(-1, NULL, 0) > 0) n_children--;
  return 1;
}

static int zygote_main(int argc, char **argv, char **envp) {
  const char *fd = getenv("MIGCOMPAT_ZYGOTE_FD");
  if (fd == NULL) return real_main(argc, argv, envp);
  int ctl = atoi(fd);
  const char *parent = getenv("MIGCOMPAT_ZYGOTE_PARENT");
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || parent == NULL || getppid() != (pid_t)atoi(parent)) _exit(0);
  /* The children's environment is the one an exec'd QEMU would have had. */
  unsetenv("MIGCOMPAT_ZYGOTE_FD");
  unsetenv("MIGCOMPAT_ZYGOTE_PARENT");
  unsetenv("LD_PRELOAD");
  if (serve(ctl) != 0) _exit(0);
  return real_main(argc, argv, environ);
}

/* Wrapped so that main is ours: glibc runs every constructor, QEMU's included, before it calls main. */
int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void), void (*rtld_fini)(void), void *stack_end) {
  real_main = main;
  start_fn next = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");
  return next(zygote_main, argc, argv, init, fini, rtld_fini, stack_end);
}

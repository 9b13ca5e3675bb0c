/*
 * qemu-zygote: an LD_PRELOAD shim that turns one QEMU process into a fork
 * server for identical destinations (harness/targets/qemu-zygote.ts builds
 * and drives it).
 *
 * Why: most of a QEMU 7.2 destination's start-up is the same for every
 * destination: execve, mapping and relocating 51 shared libraries (the
 * binary is linked BIND_NOW with 122k relocations), the constructors, and
 * in main() the QOM type registration, option parsing and the class
 * initialization of every QOM type. The zygote does that once and forks;
 * each child goes on from the fork point exactly as an exec'd QEMU with the
 * same argv and environment would.
 *
 * Where it forks ($MIGCOMPAT_ZYGOTE_LATE=1): at the first call after main()
 * that would give QEMU a thread or a kernel object of its own (io_uring,
 * eventfd, epoll, signalfd, pthread_create), before that call: in 7.2 the
 * io_uring of the iohandler AioContext that monitor_init_globals() creates
 * once qemu_init_subsystems() has registered every QOM type. Those objects
 * must be each child's own, so this is as late as a fork can be. The zygote
 * checks that it still has exactly the threads and file descriptors it had
 * at main() (QEMU's call_rcu thread is re-created in the child by QEMU's own
 * pthread_atfork handler, as for -daemonize), else it gives up (exits before
 * "R": the driver falls back). There it also runs what select_machine()
 * runs first, object_class_get_list("machine", false): QEMU's own class
 * initialization of every registered type (the same types in the same hash
 * table order; class_init reads no command-line, accelerator or main-loop
 * state), which the children then share instead of each repeating it.
 * Without MIGCOMPAT_ZYGOTE_LATE it forks at the entry of main().
 *
 * A child first makes its heap's pages its own in one madvise
 * (MADV_POPULATE_WRITE, in a fork handler that runs before QEMU's, while it
 * has one thread): page by page, the copy-on-write and zero-fill faults of
 * a child's start-up cost ~11 us each in this VM against <1 us in bulk.
 * Placement only: no byte of memory changes.
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
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels say EINVAL and the child faults as before */
#endif

static main_fn real_main;
static pid_t children[MAX_CHILDREN];
static int n_children;
/* The late fork point's control socket while QEMU runs towards it; -1 once there (or never). */
static int pending_ctl = -1;
/* Threads and open file descriptors at main(), as "name;name;..." of /proc/self/task and /proc/self/fd. */
static char threads_at_main[256], fds_at_main[1024];
/* Set in the zygote while it serves: its fork handler runs in its own children only. */
static int serving;
static unsigned long heap_lo;

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

/* The entries of a /proc/self directory (its own fd left out), in readdir order; "" if unreadable or too many. */
static void list_dir(const char *path, char *out, size_t size) {
  DIR *d = opendir(path);
  size_t len = 0;
  out[0] = '\0';
  if (!d) return;
  char own[16];
  snprintf(own, sizeof own, "%d", dirfd(d));
  int own_fd = strcmp(path, "/proc/self/fd") == 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.' || (own_fd && strcmp(e->d_name, own) == 0)) continue;
    int n = snprintf(out + len, size - len, "%s;", e->d_name);
    if (n < 0 || (size_t)n >= size - len) {
      out[0] = '\0';
      break;
    }
    len += (size_t)n;
  }
  closedir(d);
}

/* Whether QEMU has, since main(), made no thread and opened no file descriptor: memory is all it changed. */
static int unchanged_since_main(void) {
  char now[1024];
  list_dir("/proc/self/task", now, sizeof now);
  if (now[0] == '\0' || strcmp(now, threads_at_main) != 0) return 0;
  list_dir("/proc/self/fd", now, sizeof now);
  return now[0] != '\0' && strcmp(now, fds_at_main) == 0;
}

static void find_heap(void) {
  FILE *f = fopen("/proc/self/maps", "re");
  char line[512];
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, "[heap]")) {
      heap_lo = strtoul(line, NULL, 16);
      break;
    }
  if (f) fclose(f);
}

/* A child's fork handler, registered before QEMU's (constructors of preloaded objects run first): one thread still. */
static void own_heap(void) {
  if (!serving || heap_lo == 0) return;
  serving = 0;
  unsigned long hi = (unsigned long)sbrk(0);
  if (hi > heap_lo) madvise((void *)heap_lo, hi - heap_lo, MADV_POPULATE_WRITE);
}

__attribute__((constructor)) static void register_fork_handler(void) {
  pthread_atfork(NULL, NULL, own_heap);
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
  find_heap();
  serving = 1;
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
          serving = 0;
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
  unsetenv("LD_BIND_NOW");
  if (getenv("MIGCOMPAT_ZYGOTE_LATE") != NULL) {
    unsetenv("MIGCOMPAT_ZYGOTE_LATE");
    list_dir("/proc/self/task", threads_at_main, sizeof threads_at_main);
    list_dir("/proc/self/fd", fds_at_main, sizeof fds_at_main);
    pending_ctl = ctl;
    return real_main(argc, argv, environ);
  }
  if (serve(ctl) != 0) _exit(0);
  return real_main(argc, argv, environ);
}

/* What select_machine() runs first: every QOM type's class initialized, by QEMU. */
static void initialize_classes(void) {
  void *(*get_list)(const char *, int) = (void *(*)(const char *, int))dlsym(RTLD_DEFAULT, "object_class_get_list");
  void (*free_list)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "g_slist_free");
  if (get_list && free_list) free_list(get_list("machine", 0));
}

/* Called before each call that would give QEMU a thread or kernel object of its own: the first one is the fork point. */
static void fork_point(void) {
  if (pending_ctl < 0) return;
  int ctl = pending_ctl;
  pending_ctl = -1;
  if (!unchanged_since_main()) _exit(0);
  initialize_classes();
  if (serve(ctl) != 0) _exit(0);
}

/* The interposed function's own definition, from the next object that has it (libc, liburing). */
#define NEXT(name) \
  static __typeof__(&name) next; \
  if (!next) next = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

int io_uring_queue_init(unsigned entries, void *ring, unsigned flags) {
  NEXT(io_uring_queue_init);
  fork_point();
  return next ? next(entries, ring, flags) : -ENOSYS;
}

int eventfd(unsigned int count, int flags) {
  NEXT(eventfd);
  fork_point();
  return next(count, flags);
}

int epoll_create1(int flags) {
  NEXT(epoll_create1);
  fork_point();
  return next(flags);
}

int signalfd(int fd, const sigset_t *mask, int flags) {
  NEXT(signalfd);
  fork_point();
  return next(fd, mask, flags);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg) {
  NEXT(pthread_create);
  fork_point();
  return next(thread, attr, start, arg);
}

/* Wrapped so that main is ours: glibc runs every constructor, QEMU's included, before it calls main. */
int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void), void (*rtld_fini)(void), void *stack_end) {
  real_main = main;
  start_fn next = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");
  return next(zygote_main, argc, argv, init, fini, rtld_fini, stack_end);
}

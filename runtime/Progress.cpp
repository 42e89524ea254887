//===- Progress.cpp - A progress bar for long loops -----------------------===//
//
// On a terminal, one line redrawn in place (at most ten times a second);
// otherwise (logs, pipes) a plain line at every 10% so logs stay short.
//
//===----------------------------------------------------------------------===//

#include "runtime/aert.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Progress {
  std::mutex lock;
  FILE *out = nullptr; // NULL: stdout
  int mode = AERT_PROGRESS_AUTO;
  bool terminal = false;
  bool active = false;
  int64_t total = 0;
  int64_t done = 0;
  double metric = NAN;
  int lastDecile = -1;
  char label[64] = "";
  char metricName[32] = "loss";
  Clock::time_point start;
  Clock::time_point lastDraw;
};

Progress &progress() {
  static Progress instance;
  return instance;
}

FILE *stream(Progress &p) { return p.out ? p.out : stdout; }

void formatDuration(char *buffer, size_t size, double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    seconds = 0;
  long s = long(seconds + 0.5);
  if (s >= 3600)
    snprintf(buffer, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(buffer, size, "%ld:%02ld", s / 60, s % 60);
}

/// "label 42% 4200/10000 1234.5/s ETA 0:05 loss 0.1234"
void formatStatus(Progress &p, char *buffer, size_t size, bool final) {
  double elapsed =
      std::chrono::duration<double>(Clock::now() - p.start).count();
  double fraction =
      p.total > 0 ? double(p.done) / double(p.total) : (final ? 1.0 : 0.0);
  if (fraction > 1)
    fraction = 1;
  double rate = elapsed > 0 ? double(p.done) / elapsed : 0;
  char timeText[32];
  if (final)
    formatDuration(timeText, sizeof(timeText), elapsed);
  else
    formatDuration(timeText, sizeof(timeText),
                   rate > 0 ? double(p.total - p.done) / rate : 0);
  int used =
      snprintf(buffer, size, "%s%s%3d%% %lld/%lld %.1f/s %s %s", p.label,
               p.label[0] ? " " : "", int(fraction * 100), (long long)p.done,
               (long long)p.total, rate, final ? "in" : "ETA", timeText);
  if (!std::isnan(p.metric) && used > 0 && size_t(used) < size)
    snprintf(buffer + used, size - size_t(used), " %s %.6g", p.metricName,
             p.metric);
}

void drawTerminal(Progress &p, bool final) {
  constexpr int kBarWidth = 24;
  double fraction = p.total > 0 ? double(p.done) / double(p.total) : 0;
  if (fraction > 1)
    fraction = 1;
  if (final)
    fraction = p.total > 0 ? fraction : 1;
  int filled = int(fraction * kBarWidth);
  char bar[kBarWidth + 1];
  for (int i = 0; i < kBarWidth; ++i)
    bar[i] = i < filled ? '#' : '.';
  bar[kBarWidth] = '\0';
  char status[256];
  formatStatus(p, status, sizeof(status), final);
  fprintf(stream(p), "\r[%s] %s\033[K%s", bar, status, final ? "\n" : "");
  fflush(stream(p));
}

void drawPlain(Progress &p, bool final) {
  char status[256];
  formatStatus(p, status, sizeof(status), final);
  fprintf(stream(p), "%s\n", status);
  fflush(stream(p));
}

} // namespace

extern "C" void aert_progress_set_output(FILE *out, int mode) {
  Progress &p = progress();
  std::lock_guard<std::mutex> guard(p.lock);
  p.out = out;
  p.mode = mode;
}

extern "C" void aert_progress_set_metric_name(const char *name) {
  Progress &p = progress();
  std::lock_guard<std::mutex> guard(p.lock);
  snprintf(p.metricName, sizeof(p.metricName), "%s", name ? name : "");
}

extern "C" void aert_progress_begin(int64_t total, const char *label) {
  Progress &p = progress();
  std::lock_guard<std::mutex> guard(p.lock);
  p.total = total > 0 ? total : 0;
  p.done = 0;
  p.metric = NAN;
  p.lastDecile = 0;
  snprintf(p.label, sizeof(p.label), "%s", label ? label : "");
  if (p.mode == AERT_PROGRESS_AUTO)
    p.terminal = isatty(fileno(stream(p))) != 0;
  else
    p.terminal = p.mode == AERT_PROGRESS_TERMINAL;
  p.start = Clock::now();
  p.lastDraw = p.start;
  p.active = true;
  if (p.terminal)
    drawTerminal(p, false);
}

extern "C" void aert_progress_update(int64_t done, double metric) {
  Progress &p = progress();
  std::lock_guard<std::mutex> guard(p.lock);
  if (!p.active)
    return;
  p.done = done < 0 ? 0 : done;
  p.metric = metric;
  if (p.terminal) {
    Clock::time_point now = Clock::now();
    if (now - p.lastDraw >= std::chrono::milliseconds(100) ||
        p.done >= p.total) {
      p.lastDraw = now;
      drawTerminal(p, false);
    }
    return;
  }
  // Plain: one line each time a new 10% boundary is crossed (the final
  // 100% line is end's).
  if (p.total <= 0)
    return;
  int64_t clamped = p.done < p.total ? p.done : p.total;
  int decile = int(clamped * 10 / p.total);
  if (decile > p.lastDecile && decile < 10) {
    p.lastDecile = decile;
    drawPlain(p, false);
  }
}

extern "C" void aert_progress_end(void) {
  Progress &p = progress();
  std::lock_guard<std::mutex> guard(p.lock);
  if (!p.active)
    return;
  if (p.terminal)
    drawTerminal(p, true);
  else
    drawPlain(p, true);
  p.active = false;
}

//===- ProgressTest.cpp - The progress bar --------------------------------===//

#include "runtime/aert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

/// Runs `body` with the progress bar writing into a temporary file in
/// `mode`, and returns what was written.
template <typename Body> std::string capture(int mode, Body body) {
  FILE *f = tmpfile();
  if (!f)
    return "<tmpfile failed>";
  aert_progress_set_output(f, mode);
  body();
  aert_progress_set_output(nullptr, AERT_PROGRESS_AUTO);
  fflush(f);
  rewind(f);
  std::string text;
  char buffer[512];
  size_t got;
  while ((got = fread(buffer, 1, sizeof(buffer), f)) > 0)
    text.append(buffer, got);
  fclose(f);
  return text;
}

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

TEST(Progress, PlainLinesEveryTenPercent) {
  std::string text = capture(AERT_PROGRESS_PLAIN, [] {
    aert_progress_begin(1000, "epoch 1");
    for (int done = 10; done <= 1000; done += 10)
      aert_progress_update(done, 0.5 / done);
    aert_progress_end();
  });
  std::vector<std::string> out = lines(text);
  ASSERT_EQ(out.size(), 10u) << text; // 10%, ..., 90%, then the final line
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(out[0].rfind("epoch 1  10% 100/1000", 0), 0u) << out[0];
  EXPECT_NE(out[0].find("/s ETA "), std::string::npos) << out[0];
  EXPECT_NE(out[0].find("loss 0.005"), std::string::npos) << out[0];
  EXPECT_NE(out[8].find(" 90% 900/1000"), std::string::npos) << out[8];
  EXPECT_NE(out[9].find("100% 1000/1000"), std::string::npos) << out[9];
  EXPECT_NE(out[9].find(" in "), std::string::npos) << out[9];
  EXPECT_NE(out[9].find("loss 0.0005"), std::string::npos) << out[9];
}

TEST(Progress, TerminalRedrawsOneLine) {
  std::string text = capture(AERT_PROGRESS_TERMINAL, [] {
    aert_progress_set_metric_name("elbo");
    aert_progress_begin(4, "train");
    aert_progress_update(4, 12.5);
    aert_progress_end();
    aert_progress_set_metric_name("loss");
  });
  EXPECT_EQ(text.front(), '\r');
  EXPECT_NE(text.find("\033[K"), std::string::npos);
  EXPECT_NE(text.find("[########################] train 100% 4/4"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("elbo 12.5"), std::string::npos) << text;
  // Exactly one newline, at the very end.
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST(Progress, NaNMetricHiddenAndUpdatesWithoutBeginIgnored) {
  std::string text = capture(AERT_PROGRESS_PLAIN, [] {
    aert_progress_update(5, 1.0); // no bar: ignored
    aert_progress_end();          // ignored
    aert_progress_begin(2, "");
    aert_progress_update(1, NAN);
    aert_progress_end();
  });
  std::vector<std::string> out = lines(text);
  ASSERT_EQ(out.size(), 2u) << text;
  EXPECT_EQ(out[0].rfind(" 50% 1/2", 0), 0u) << out[0];
  EXPECT_EQ(out[1].find("loss"), std::string::npos) << out[1];
}

TEST(Progress, AutoModeOnAFileIsPlain) {
  std::string text = capture(AERT_PROGRESS_AUTO, [] {
    aert_progress_begin(10, "x");
    aert_progress_update(10, 1.0);
    aert_progress_end();
  });
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_NE(text.find("100% 10/10"), std::string::npos) << text;
}

} // namespace

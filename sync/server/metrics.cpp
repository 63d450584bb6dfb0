#include "metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace tp::server::metrics {

Histogram::Histogram(std::span<const double> upper_bounds)
    : bounds_(upper_bounds.begin(), upper_bounds.end()), counts_(new std::atomic<std::uint64_t>[upper_bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
  if (std::isnan(value)) return;
  // `le` means "less than or equal": the first bound not below the value.
  auto slot = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[slot].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  s.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";  // unreachable: 64 characters hold any double
  return std::string(buf, end);
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void TextWriter::family(std::string_view name, Type type, std::string_view help) {
  const char* type_name = type == Type::counter ? "counter" : type == Type::gauge ? "gauge" : "histogram";
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  text_ += escape_help(help);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type_name;
  text_ += '\n';
}

void TextWriter::series(std::string_view name, std::string_view suffix, std::initializer_list<Label> labels, const Label* extra) {
  text_ += name;
  text_ += suffix;
  if (labels.size() == 0 && !extra) {
    text_ += ' ';
    return;
  }
  char separator = '{';
  auto write = [&](const Label& l) {
    text_ += separator;
    text_ += l.name;
    text_ += "=\"";
    text_ += escape_label_value(l.value);
    text_ += '"';
    separator = ',';
  };
  for (const Label& l : labels) write(l);
  if (extra) write(*extra);
  text_ += "} ";
}

void TextWriter::sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value) {
  series(name, "", labels, nullptr);
  text_ += std::to_string(value);
  text_ += '\n';
}

void TextWriter::sample(std::string_view name, std::initializer_list<Label> labels, std::int64_t value) {
  series(name, "", labels, nullptr);
  text_ += std::to_string(value);
  text_ += '\n';
}

void TextWriter::sample(std::string_view name, std::initializer_list<Label> labels, double value) {
  series(name, "", labels, nullptr);
  text_ += format_value(value);
  text_ += '\n';
}

void TextWriter::histogram(std::string_view name, std::initializer_list<Label> labels, const Histogram::Snapshot& h) {
  for (std::size_t i = 0; i < h.cumulative.size(); ++i) {
    std::string bound = i < h.upper_bounds.size() ? format_value(h.upper_bounds[i]) : "+Inf";
    Label le{"le", bound};
    series(name, "_bucket", labels, &le);
    text_ += std::to_string(h.cumulative[i]);
    text_ += '\n';
  }
  series(name, "_sum", labels, nullptr);
  text_ += format_value(h.sum);
  text_ += '\n';
  series(name, "_count", labels, nullptr);
  text_ += std::to_string(h.count());
  text_ += '\n';
}

void write_process_metrics(TextWriter& out, double start_time_s) {
  out.family("process_start_time_seconds", Type::gauge, "When the server process started, in seconds since the epoch.");
  out.sample("process_start_time_seconds", {}, start_time_s);

  // /proc/self/statm: sizes in pages; the second is what is resident.
  long long pages_total = 0, pages_resident = 0;
  if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%lld %lld", &pages_total, &pages_resident) != 2) pages_resident = -1;
    std::fclose(statm);
  } else {
    pages_resident = -1;
  }
  if (pages_resident >= 0) {
    out.family("process_resident_memory_bytes", Type::gauge, "Resident memory of the server process, in bytes.");
    out.sample("process_resident_memory_bytes", {}, static_cast<std::int64_t>(pages_resident) * ::sysconf(_SC_PAGESIZE));
  }

  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
    out.family("process_cpu_seconds_total", Type::counter, "CPU time the server process has used, user and system, in seconds.");
    out.sample("process_cpu_seconds_total", {}, seconds(usage.ru_utime) + seconds(usage.ru_stime));
  }
}

}  // namespace tp::server::metrics

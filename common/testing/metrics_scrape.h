// Reading a process's Prometheus /metrics in tests, and checking it with
// Prometheus's own promtool (Debian's `prometheus` package).
#ifndef SHOP_COMMON_TESTING_METRICS_SCRAPE_H_
#define SHOP_COMMON_TESTING_METRICS_SCRAPE_H_

#include <string>

namespace shop::testing {

// The body of http://127.0.0.1:<port>/metrics; "" unless it answered 200.
std::string Scrape(int port);

// `promtool check metrics` on `text`: its findings, then "exit=<code>";
// exactly "exit=0\n" when the exposition is valid and lint-clean.
std::string Promtool(const std::string& text);

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_METRICS_SCRAPE_H_

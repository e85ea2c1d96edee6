// The rows one transaction works on, kept in memory (a unit of work): what a
// consumer batch's handlers read and change without a statement each.
//  - Load reads and locks, in one statement per chunk, every row of the keys
//    given that is not known yet (keys sorted: primary-key or unique-index
//    order, so concurrent batches cannot deadlock on them), and remembers the
//    keys that have no row;
//  - Find answers from memory, with the transaction's earlier changes, and
//    reads (and locks) a key not loaded yet on demand;
//  - Insert and Update change memory only; Flush (run before COMMIT) writes
//    the inserted rows, then the updated ones, a chunk per statement.
// The locks are those of reading each row FOR UPDATE before using it. A
// transaction rolled back writes nothing: its rows die with it.
//
// Row is the stored type; Access says how to read and write many of them.
#ifndef SHOP_COMMON_MYSQL_LOCKED_ROWS_H_
#define SHOP_COMMON_MYSQL_LOCKED_ROWS_H_

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace shop::mysql {

template <typename Row>
class LockedRows {
 public:
  struct Access {
    // Reads and locks the rows of `keys` (sorted, distinct); keys without a
    // row are left out of the answer.
    std::function<absl::StatusOr<std::map<std::string, Row>>(const std::vector<std::string>& keys)>
        read_for_update;
    // Writes new rows; an existing key fails the statement (and the
    // transaction): another writer got there first.
    std::function<absl::Status(const std::vector<const Row*>& rows)> insert;
    std::function<absl::Status(const std::vector<const Row*>& rows)> update;
    // What the rows are called in errors ("order", "delivery").
    std::string noun = "row";
  };

  explicit LockedRows(Access access) : access_(std::move(access)) {}

  // Reads and locks the rows of `keys` not known yet.
  absl::Status Load(const std::vector<std::string>& keys) {
    std::set<std::string> unknown;
    for (const std::string& key : keys) {
      if (!rows_.count(key)) unknown.insert(key);
    }
    if (unknown.empty()) return absl::OkStatus();
    auto read = access_.read_for_update({unknown.begin(), unknown.end()});
    if (!read.ok()) return read.status();
    for (const std::string& key : unknown) {
      auto it = read->find(key);
      if (it == read->end()) {
        rows_.emplace(key, std::nullopt);
      } else {
        rows_.emplace(key, std::move(it->second));
      }
    }
    return absl::OkStatus();
  }

  // The row of `key` as this transaction sees it; nullopt when there is none.
  absl::StatusOr<std::optional<Row>> Find(const std::string& key) {
    if (absl::Status loaded = Load({key}); !loaded.ok()) return loaded;
    return rows_.at(key);
  }

  absl::Status Insert(const std::string& key, const Row& row) {
    if (absl::Status loaded = Load({key}); !loaded.ok()) return loaded;
    std::optional<Row>& slot = rows_.at(key);
    if (slot.has_value()) {
      return absl::AlreadyExistsError(absl::StrCat(access_.noun, " ", key, " exists"));
    }
    slot = row;
    inserted_.insert(key);
    return absl::OkStatus();
  }

  // Only a row this transaction has read (and so locked) or inserted may change.
  absl::Status Update(const std::string& key, const Row& row) {
    auto it = rows_.find(key);
    if (it == rows_.end() || !it->second.has_value()) {
      return absl::NotFoundError(
          absl::StrCat(access_.noun, " ", key, " was not read in this transaction"));
    }
    it->second = row;
    if (!inserted_.count(key)) updated_.insert(key);
    return absl::OkStatus();
  }

  // Writes what changed: the inserted rows, then the updated ones.
  absl::Status Flush() {
    if (absl::Status written = Write(inserted_, access_.insert); !written.ok()) return written;
    return Write(updated_, access_.update);
  }

 private:
  absl::Status Write(std::set<std::string>& keys,
                     const std::function<absl::Status(const std::vector<const Row*>&)>& write) {
    if (keys.empty()) return absl::OkStatus();
    std::vector<const Row*> rows;
    for (const std::string& key : keys) rows.push_back(&*rows_.at(key));
    absl::Status written = write(rows);
    if (written.ok()) keys.clear();
    return written;
  }

  Access access_;
  std::map<std::string, std::optional<Row>> rows_;  // as read, with this transaction's changes
  std::set<std::string> inserted_;
  std::set<std::string> updated_;
};

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_LOCKED_ROWS_H_

#include "gateway/catalog/catalog_cache.h"

#include "absl/strings/str_cat.h"

namespace shop::gateway {
namespace {

constexpr char kFillScript[] = R"lua(
if (redis.call('GET', KEYS[2]) or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0)lua";

constexpr char kInvalidateScript[] = R"lua(
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1)lua";

// A generation must outlive any read in flight by far; when it expires
// anyway, a reader's compare fails (safe), unless the reader had seen none.
absl::Duration GenerationTtl(absl::Duration ttl) { return std::max(ttl * 10, absl::Hours(24)); }

}  // namespace

std::string CatalogCache::EntryKey(const std::string& id) {
  return absl::StrCat("shop:catalog:v1:{", id, "}:product");
}

std::string CatalogCache::GenerationKey(const std::string& id) {
  return absl::StrCat("shop:catalog:v1:{", id, "}:generation");
}

absl::StatusOr<CacheLookup> CatalogCache::Get(const std::vector<std::string>& ids) {
  CacheLookup lookup;
  if (ids.empty()) return lookup;
  // Per product (one hash slot each): its entry and its generation.
  std::vector<std::vector<std::string>> commands;
  for (const std::string& id : ids) {
    commands.push_back({"MGET", EntryKey(id), GenerationKey(id)});
  }
  auto replies = store_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < ids.size(); ++i) {
    const RedisReply& reply = (*replies)[i];
    if (reply.type != RedisReply::Type::kArray || reply.elements.size() != 2) {
      return absl::InternalError("redis: unexpected MGET reply");
    }
    if (reply.elements[0].type == RedisReply::Type::kString) {
      lookup.hits[ids[i]] = reply.elements[0].string;
    }
    lookup.generations[ids[i]] = reply.elements[1].string;  // "" when none
  }
  return lookup;
}

absl::StatusOr<int> CatalogCache::Fill(const std::map<std::string, std::string>& values,
                                       const std::map<std::string, std::string>& generations) {
  std::vector<std::vector<std::string>> commands;
  for (const auto& [id, value] : values) {
    auto generation = generations.find(id);
    if (generation == generations.end()) continue;
    commands.push_back({"EVAL", kFillScript, "2", EntryKey(id), GenerationKey(id),
                        generation->second, value,
                        std::to_string(absl::ToInt64Milliseconds(ttl_))});
  }
  if (commands.empty()) return 0;
  auto replies = store_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  int stored = 0;
  for (const RedisReply& reply : *replies) stored += reply.integer == 1 ? 1 : 0;
  return stored;
}

absl::Status CatalogCache::Invalidate(const std::vector<std::string>& ids) {
  if (ids.empty()) return absl::OkStatus();
  std::vector<std::vector<std::string>> commands;
  const std::string generation_ttl_ms =
      std::to_string(absl::ToInt64Milliseconds(GenerationTtl(ttl_)));
  for (const std::string& id : ids) {
    commands.push_back(
        {"EVAL", kInvalidateScript, "2", EntryKey(id), GenerationKey(id), generation_ttl_ms});
  }
  return store_.Pipeline(commands).status();
}

}  // namespace shop::gateway

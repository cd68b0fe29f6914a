// API tokens: random, stored only as SHA-256, checked against the configured hashes, each bound
// to one project and one role.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "config/config_file.h"
#include "config/tokens.h"
#include "config_test_support.h"

namespace as::config {
namespace {

using testing::load_text;
using testing::TempDir;

TEST(Tokens, Sha256MatchesTheStandardTestVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Tokens, GeneratedTokensAreRandomUrlSafeAndRecognisable) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = generate_token();
    EXPECT_EQ(token.size(), 46u);
    EXPECT_TRUE(token.starts_with("as_"));
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 3), std::string::npos);
    EXPECT_TRUE(looks_like_token(token));
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_FALSE(looks_like_token("as_short"));
  EXPECT_FALSE(looks_like_token(std::string(46, 'a')));
}

class Authentication : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = load_text(dir_, fmt::format(
        "[projects.sales]\n[projects.hr]\n"
        "[[tokens]]\nname = \"alice\"\nsha256 = \"{}\"\nrole = \"user\"\nproject = \"sales\"\n"
        "[[tokens]]\nname = \"agent\"\nsha256 = \"{}\"\nrole = \"author\"\nproject = \"hr\"\n",
        sha256_hex(user_token_), sha256_hex(author_token_)));
  }
  TempDir dir_;
  std::string user_token_ = generate_token();
  std::string author_token_ = generate_token();
  Config config_;
};

TEST_F(Authentication, TheRightTokenGivesItsNameRoleAndProject) {
  std::optional<TokenConfig> user = authenticate(config_, user_token_);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "alice");
  EXPECT_EQ(user->role, Role::User);
  EXPECT_EQ(user->project, "sales");
  std::optional<TokenConfig> author = authenticate(config_, author_token_);
  ASSERT_TRUE(author);
  EXPECT_EQ(author->role, Role::Author);
  EXPECT_EQ(author->project, "hr");
}

TEST_F(Authentication, AWrongTokenIsRefused) {
  EXPECT_FALSE(authenticate(config_, generate_token()));
  EXPECT_FALSE(authenticate(config_, ""));
  EXPECT_FALSE(authenticate(config_, user_token_.substr(0, user_token_.size() - 1)));
  EXPECT_FALSE(authenticate(config_, user_token_ + "x"));
  EXPECT_FALSE(authenticate(config_, sha256_hex(user_token_)));  // the hash itself is no token
}

TEST_F(Authentication, ATokenGivesAccessToItsOwnProjectOnly) {
  // The token decides the project: alice's token never yields the hr project.
  std::optional<TokenConfig> user = authenticate(config_, user_token_);
  ASSERT_TRUE(user);
  EXPECT_NE(user->project, "hr");
}

TEST(Roles, AnAuthorMayDoWhatAUserMayButNotTheOtherWayRound) {
  EXPECT_TRUE(role_allows(Role::Author, Role::Author));
  EXPECT_TRUE(role_allows(Role::Author, Role::User));
  EXPECT_TRUE(role_allows(Role::User, Role::User));
  EXPECT_FALSE(role_allows(Role::User, Role::Author));
  EXPECT_EQ(role_from_string("author"), Role::Author);
  EXPECT_EQ(role_from_string("Author"), std::nullopt);
}

TEST(Tokens, APastedTokenInTheConfigIsRefusedWithoutShowingIt) {
  TempDir dir;
  std::string token = generate_token();
  ConfigError e = testing::load_error(dir, fmt::format("[projects.p]\n[[tokens]]\nname = \"a\"\nsha256 = \"{}\"\nrole = \"user\"\nproject = \"p\"\n", token));
  EXPECT_EQ(e.key(), "tokens[0].sha256");
  EXPECT_THAT(e.problem(), ::testing::HasSubstr("holds a token, not its hash"));
  EXPECT_THAT(e.what(), ::testing::Not(::testing::HasSubstr(token)));
  ConfigError short_hash = testing::load_error(dir, "[projects.p]\n[[tokens]]\nname = \"a\"\nsha256 = \"abc123\"\nrole = \"user\"\nproject = \"p\"\n");
  EXPECT_THAT(short_hash.problem(), ::testing::HasSubstr("64 hex digits"));
}

}  // namespace
}  // namespace as::config

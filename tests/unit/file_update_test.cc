// SPDX-License-Identifier: BSD-3-Clause
// sluiced's generated files (controlplane/sluiced/file_update.h) in a temporary directory.
#include "sluiced/file_update.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::sluiced {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ino_t inode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

class FileUpdateTest : public testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/file_update_test.XXXXXX";
    dir_ = ::mkdtemp(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileUpdateTest, WrittenOnlyWhenTheTextChanges) {
  std::string path = dir_ + "/sluice/bird-vips.conf";  // the directory does not exist yet
  FileUpdate first = update_file(path, "one\n");
  EXPECT_TRUE(first.changed);
  EXPECT_FALSE(first.error);
  EXPECT_EQ(read(path), "one\n");
  ino_t before = inode(path);

  FileUpdate same = update_file(path, "one\n");
  EXPECT_FALSE(same.changed);
  EXPECT_FALSE(same.error);
  EXPECT_EQ(inode(path), before) << "the same text leaves the file alone";

  FileUpdate other = update_file(path, "two\n");
  EXPECT_TRUE(other.changed);
  EXPECT_EQ(read(path), "two\n");
  EXPECT_NE(inode(path), before) << "replaced by a rename, never rewritten in place";
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_F(FileUpdateTest, AFileThatCannotBeWrittenSaysWhy) {
  std::string blocker = dir_ + "/not-a-dir";
  std::ofstream(blocker) << "x";
  FileUpdate r = update_file(blocker + "/bird-vips.conf", "one\n");
  EXPECT_FALSE(r.changed);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, blocker + "/bird-vips.conf: cannot create " + blocker + ": Not a directory");

  std::string path = dir_ + "/bird-vips.conf";
  std::filesystem::create_directory(path + ".tmp");  // what the rename needs is in the way
  r = update_file(path, "one\n");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, path + ": cannot create " + path + ".tmp: Is a directory");
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace sluice::sluiced

// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/eal_leftovers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sluice {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kMounts =
    "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
    "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n"
    "tmpfs /run tmpfs rw,nosuid,nodev 0 0\n"
    "none /mnt/huge1g hugetlbfs rw,relatime,pagesize=1024M 0 0\n";

TEST(EalLeftovers, EveryHugetlbfsMountWithoutHugeDir) {
  EXPECT_THAT(hugepage_dirs(kMounts, {"sluice-dataplane", "--file-prefix=x", "-m", "256"}),
              ElementsAre("/dev/hugepages", "/mnt/huge1g"));
  EXPECT_THAT(hugepage_dirs("tmpfs /run tmpfs rw 0 0\n", {}), IsEmpty());
}

TEST(EalLeftovers, HugeDirInEitherSpellingWins) {
  EXPECT_THAT(hugepage_dirs(kMounts, {"sluice-dataplane", "--huge-dir", "/mnt/h"}),
              ElementsAre("/mnt/h"));
  EXPECT_THAT(hugepage_dirs(kMounts, {"sluice-dataplane", "--huge-dir=/mnt/h2"}),
              ElementsAre("/mnt/h2"));
}

TEST(EalLeftovers, OnlyThisPrefixsMapFiles) {
  EXPECT_TRUE(is_hugepage_file("sluicemap_0", "sluice"));
  EXPECT_TRUE(is_hugepage_file("sluicemap_127", "sluice"));
  EXPECT_FALSE(is_hugepage_file("sluice2map_0", "sluice"));  // another prefix
  EXPECT_FALSE(is_hugepage_file("sluicemap_", "sluice"));
  EXPECT_FALSE(is_hugepage_file("sluicemap_1.keep", "sluice"));
  EXPECT_FALSE(is_hugepage_file("xsluicemap_1", "sluice"));
  EXPECT_FALSE(is_hugepage_file("map_1", ""));
}

class EalLeftoversFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("sluice-leftovers-" + std::to_string(getpid()));
    fs::create_directories(root_ / "huge");
    fs::create_directories(root_ / "run" / "pfx");
  }
  void TearDown() override { fs::remove_all(root_); }
  void touch(const fs::path& p) { std::ofstream(p).put('x'); }
  fs::path root_;
};

TEST_F(EalLeftoversFiles, RemovesItsMapFilesAndRuntimeDirOnly) {
  for (const char* name : {"pfxmap_0", "pfxmap_1", "pfx2map_0", "pfxmap_0.keep", "other"})
    touch(root_ / "huge" / name);
  touch(root_ / "run" / "pfx" / "config");
  touch(root_ / "run" / "pfx" / "fbarray_memzone");
  const LeftoversRemoved removed =
      remove_eal_leftovers({(root_ / "huge").string(), (root_ / "absent").string()}, "pfx",
                           (root_ / "run/pfx").string());
  EXPECT_EQ(removed.hugepage_files, 2u);
  EXPECT_TRUE(removed.runtime_dir);
  EXPECT_THAT(removed.errors, IsEmpty());
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(root_ / "huge")) left.push_back(e.path().filename());
  std::sort(left.begin(), left.end());
  EXPECT_THAT(left, ElementsAre("other", "pfx2map_0", "pfxmap_0.keep"));
  EXPECT_FALSE(fs::exists(root_ / "run" / "pfx"));
  EXPECT_TRUE(fs::exists(root_ / "run"));
}

TEST_F(EalLeftoversFiles, RuntimeDirOfAnotherNameIsKept) {
  const LeftoversRemoved removed = remove_eal_leftovers({}, "other", (root_ / "run/pfx").string());
  EXPECT_FALSE(removed.runtime_dir);
  EXPECT_TRUE(fs::exists(root_ / "run" / "pfx"));
}

}  // namespace
}  // namespace sluice

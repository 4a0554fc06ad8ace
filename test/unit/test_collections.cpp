// Collection management in the @thingsdb scope.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

namespace {

const std::string T = "@thingsdb";

void expect_err_in(const std::string& code, int errcode, const std::string& msg,
                   bool keep = false) {
    Error e = qerr(code, T, keep);
    EXPECT_EQ(e.code(), errcode) << code;
    EXPECT_EQ(without_doc_link(e.msg(), msg), msg) << code;
}

}  // namespace

TEST(Collections, NewCollection) {
    EXPECT_EQ(q("is_int(new_collection('shop'))", T), "true");
    EXPECT_EQ(qk("has_collection('shop')", T), "true");
    EXPECT_EQ(qk("collection_info('shop').name", T), "\"shop\"");
    expect_err_in("new_collection('shop')", tdb::LOOKUP_ERR, "collection `shop` already exists",
                  true);
    expect_err_in("new_collection('stuff')", tdb::LOOKUP_ERR, "collection `stuff` already exists");
    expect_err_in("new_collection('1abc')", tdb::VALUE_ERR,
                  "collection name must follow the naming rules");
    expect_err_in("new_collection('')", tdb::VALUE_ERR,
                  "collection name must follow the naming rules");
    expect_err_in("new_collection('a b')", tdb::VALUE_ERR,
                  "collection name must follow the naming rules");
    expect_err_in("new_collection()", tdb::NUM_ARGUMENTS_ERR,
                  "function `new_collection` takes 1 argument but 0 were given");
    expect_err_in("new_collection(1)", tdb::TYPE_ERR,
                  "function `new_collection` expects argument 1 to be of type `str` but got type "
                  "`int` instead");
}

TEST(Collections, NotInCollectionScope) {
    Error e = qerr("new_collection('x')");
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(),
              "function `new_collection` is undefined in the `@collection` scope; "
              "you might want to query the `@thingsdb` scope?");
}

TEST(Collections, HasCollection) {
    EXPECT_EQ(q("has_collection('stuff')", T), "true");
    EXPECT_EQ(q("has_collection('nope')", T), "false");
    EXPECT_EQ(q("has_collection(1)", T), "true");
    EXPECT_EQ(q("has_collection(12345)", T), "false");
    expect_err_in("has_collection(nil)", tdb::TYPE_ERR,
                  "expecting type `str` or `int` as collection but got type `nil` instead");
    expect_err_in("has_collection()", tdb::NUM_ARGUMENTS_ERR,
                  "function `has_collection` takes 1 argument but 0 were given");
}

TEST(Collections, DelCollection) {
    EXPECT_EQ(q("new_collection('tmp'); del_collection('tmp')", T), "null");
    EXPECT_EQ(qk("has_collection('tmp')", T), "false");
    EXPECT_EQ(q("id = new_collection('tmp'); del_collection(id); has_collection('tmp')", T),
              "false");
    expect_err_in("del_collection('nope')", tdb::LOOKUP_ERR, "collection `nope` not found");
    expect_err_in("del_collection(999)", tdb::LOOKUP_ERR, "`collection:999` not found");
    expect_err_in("del_collection([])", tdb::TYPE_ERR,
                  "expecting type `str` or `int` as collection but got type `list` instead");
    expect_err_in("del_collection()", tdb::NUM_ARGUMENTS_ERR,
                  "function `del_collection` takes 1 argument but 0 were given");
}

TEST(Collections, RenameCollection) {
    EXPECT_EQ(q("rename_collection('stuff', 'things')", T), "null");
    EXPECT_EQ(qk("[has_collection('stuff'), has_collection('things')]", T), "[false,true]");
    EXPECT_EQ(q("rename_collection(1, 'other'); collection_info(1).name", T), "\"other\"");
    expect_err_in("rename_collection('nope', 'x')", tdb::LOOKUP_ERR, "collection `nope` not found");
    expect_err_in("new_collection('b'); rename_collection('stuff', 'b')", tdb::LOOKUP_ERR,
                  "collection `b` already exists");
    expect_err_in("rename_collection('stuff', '-x')", tdb::VALUE_ERR,
                  "collection name must follow the naming rules");
    expect_err_in("rename_collection('stuff', 1)", tdb::TYPE_ERR,
                  "function `rename_collection` expects argument 2 to be of type `str` but got "
                  "type `int` instead");
    expect_err_in("rename_collection('stuff')", tdb::NUM_ARGUMENTS_ERR,
                  "function `rename_collection` takes 2 arguments but 1 was given");
}

TEST(Collections, Info) {
    EXPECT_EQ(q("collection_info('stuff')", T),
              "{\"collection_id\":1,\"name\":\"stuff\",\"created_at\":1700000000,\"things\":1,"
              "\"time_zone\":\"UTC\",\"default_deep\":1,\"next_free_id\":2}");
    EXPECT_EQ(q("collection_info(1).things", T), "1");
    EXPECT_EQ(q(".a = {}; .b = {}; 0"), "0");
    EXPECT_EQ(qk("collection_info('stuff').things", T), "3");
    EXPECT_EQ(q("new_collection('x'); collections_info().map(|c| c.name)", T), "[\"stuff\",\"x\"]");
    expect_err_in("collection_info('nope')", tdb::LOOKUP_ERR, "collection `nope` not found");
    expect_err_in("collection_info()", tdb::NUM_ARGUMENTS_ERR,
                  "function `collection_info` takes 1 argument but 0 were given");
    expect_err_in("collections_info(1)", tdb::NUM_ARGUMENTS_ERR,
                  "function `collections_info` takes 0 arguments but 1 was given");
}

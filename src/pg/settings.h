// The settings (thingsdb.*) that module.cpp defines and other files read.
#pragma once

namespace tdb::pg {

// The version of the install script this library reads and writes (thingsdb.control's
// default_version): a database of another version is refused (entry.cpp).
inline constexpr const char* kSchemaVersion = "0.4.0";

// The boot value of thingsdb.scope.
inline constexpr const char* kDefaultScope = "@:stuff";

// thingsdb.scope: the scope of a call whose scope argument is NULL.
const char* scope_setting();

}  // namespace tdb::pg

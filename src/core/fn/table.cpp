// The table of every built-in: functions by name, methods by receiver and
// name. Rows are kept in alphabetical (byte) order per receiver; a repeated
// name or a row out of order aborts at start-up (build_fn_table, called by
// init_core) and fails test/unit/test_fn_table.cpp.
//
// One literal table, with the implementations declared in fn/builtins.h,
// rather than an array per file: every built-in, its scopes and whether it
// is a change can be read in one place, and a repeat is visible as two
// neighbouring rows. An implementation's name says its file: fn_<name> is a
// function of the file of its area (see builtins.h), m_<receiver>_<name> a
// method in the file of its receiver (m_list_push: fn/list.cpp). Rows may
// share an implementation: an alias (is_error), the datetime methods that
// serve timeval too, the always-false tests of types that do not exist here.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/fn/builtins.h"
#include "core/fn/fn.h"

namespace tdb {

namespace {

constexpr FnDef kFunctions[] = {
    {"abs", fn_abs, FN_ANY_SCOPE},
    {"alt_raise", fn_alt_raise, FN_ANY_SCOPE},
    {"ano", fn_ano, FN_ANY_SCOPE},
    {"assert", fn_assert, FN_ANY_SCOPE},
    {"assert_err", fn_assert_err, FN_ANY_SCOPE},
    {"auth_err", fn_auth_err, FN_ANY_SCOPE},
    {"bad_data_err", fn_bad_data_err, FN_ANY_SCOPE},
    {"base64_decode", fn_base64_decode, FN_ANY_SCOPE},
    {"base64_encode", fn_base64_encode, FN_ANY_SCOPE},
    {"bool", fn_bool, FN_ANY_SCOPE},
    {"bytes", fn_bytes, FN_ANY_SCOPE},
    {"cancelled_err", fn_cancelled_err, FN_ANY_SCOPE},
    {"ceil", fn_ceil, FN_ANY_SCOPE},
    {"change_id", fn_change_id, FN_ANY_SCOPE},
    {"closure", fn_closure, FN_ANY_SCOPE},
    {"collection_info", fn_collection_info, FN_THINGSDB},
    {"collections_info", fn_collections_info, FN_THINGSDB},
    {"cos", fn_cos, FN_ANY_SCOPE},
    {"datetime", fn_datetime, FN_ANY_SCOPE},
    {"deep", fn_deep, FN_ANY_SCOPE},
    {"del_collection", fn_del_collection, FN_THINGSDB | FN_CHANGE},
    {"del_enum", fn_del_enum, FN_COLLECTION | FN_CHANGE},
    {"del_expired", fn_del_expired, FN_THINGSDB | FN_CHANGE},
    {"del_procedure", fn_del_procedure, FN_ANY_SCOPE | FN_CHANGE},
    {"del_token", fn_del_token, FN_THINGSDB | FN_CHANGE},
    {"del_type", fn_del_type, FN_COLLECTION | FN_CHANGE},
    {"del_user", fn_del_user, FN_THINGSDB | FN_CHANGE},
    {"enum", fn_enum, FN_COLLECTION},
    {"enum_info", fn_enum_info, FN_COLLECTION},
    {"enum_map", fn_enum_map, FN_COLLECTION},
    {"enums_info", fn_enums_info, FN_COLLECTION},
    {"err", fn_err, FN_ANY_SCOPE},
    {"exp", fn_exp, FN_ANY_SCOPE},
    {"export", fn_export, FN_COLLECTION},
    {"float", fn_float, FN_ANY_SCOPE},
    {"floor", fn_floor, FN_ANY_SCOPE},
    {"forbidden_err", fn_forbidden_err, FN_ANY_SCOPE},
    {"future", fn_future, FN_ANY_SCOPE},
    {"grant", fn_grant, FN_THINGSDB | FN_CHANGE},
    {"has_collection", fn_has_collection, FN_THINGSDB},
    {"has_enum", fn_has_enum, FN_COLLECTION},
    {"has_procedure", fn_has_procedure, FN_ANY_SCOPE},
    {"has_token", fn_has_token, FN_THINGSDB},
    {"has_type", fn_has_type, FN_COLLECTION},
    {"has_user", fn_has_user, FN_THINGSDB},
    {"import", fn_import, FN_COLLECTION | FN_CHANGE},
    {"int", fn_int, FN_ANY_SCOPE},
    {"is_array", fn_is_array, FN_ANY_SCOPE},
    {"is_ascii", fn_is_ascii, FN_ANY_SCOPE},
    {"is_bool", fn_is_bool, FN_ANY_SCOPE},
    {"is_bytes", fn_is_bytes, FN_ANY_SCOPE},
    {"is_closure", fn_is_closure, FN_ANY_SCOPE},
    {"is_datetime", fn_is_datetime, FN_ANY_SCOPE},
    {"is_email", fn_is_email, FN_ANY_SCOPE},
    {"is_enum", fn_is_enum, FN_ANY_SCOPE},
    {"is_err", fn_is_err, FN_ANY_SCOPE},
    {"is_error", fn_is_err, FN_ANY_SCOPE},  // as is_err
    {"is_float", fn_is_float, FN_ANY_SCOPE},
    {"is_future", fn_is_future, FN_ANY_SCOPE},
    {"is_inf", fn_is_inf, FN_ANY_SCOPE},
    {"is_int", fn_is_int, FN_ANY_SCOPE},
    {"is_list", fn_is_list, FN_ANY_SCOPE},
    {"is_module", fn_is_unsupported, FN_ANY_SCOPE},
    {"is_mpdata", fn_is_unsupported, FN_ANY_SCOPE},
    {"is_nan", fn_is_nan, FN_ANY_SCOPE},
    {"is_nil", fn_is_nil, FN_ANY_SCOPE},
    {"is_raw", fn_is_raw, FN_ANY_SCOPE},
    {"is_regex", fn_is_regex, FN_ANY_SCOPE},
    {"is_room", fn_is_room, FN_ANY_SCOPE},
    {"is_set", fn_is_set, FN_ANY_SCOPE},
    {"is_str", fn_is_str, FN_ANY_SCOPE},
    {"is_task", fn_is_task, FN_ANY_SCOPE},
    {"is_tel", fn_is_tel, FN_ANY_SCOPE},
    {"is_thing", fn_is_thing, FN_ANY_SCOPE},
    {"is_time_zone", fn_is_time_zone, FN_ANY_SCOPE},
    {"is_timeval", fn_is_timeval, FN_ANY_SCOPE},
    {"is_tuple", fn_is_tuple, FN_ANY_SCOPE},
    {"is_url", fn_is_url, FN_ANY_SCOPE},
    {"is_utf8", fn_is_utf8, FN_ANY_SCOPE},
    {"json_dump", fn_json_dump, FN_ANY_SCOPE},
    {"json_load", fn_json_load, FN_ANY_SCOPE},
    {"list", fn_list, FN_ANY_SCOPE},
    {"log", fn_log, FN_ANY_SCOPE},
    {"log10", fn_log10, FN_ANY_SCOPE},
    {"log2", fn_log2, FN_ANY_SCOPE},
    {"loge", fn_loge, FN_ANY_SCOPE},
    {"lookup_err", fn_lookup_err, FN_ANY_SCOPE},
    {"max_quota_err", fn_max_quota_err, FN_ANY_SCOPE},
    {"mod_enum", fn_mod_enum, FN_COLLECTION | FN_CHANGE},
    {"mod_procedure", fn_mod_procedure, FN_ANY_SCOPE | FN_CHANGE},
    {"mod_type", fn_mod_type, FN_COLLECTION | FN_CHANGE},
    {"new", fn_new, FN_COLLECTION},
    {"new_collection", fn_new_collection, FN_THINGSDB | FN_CHANGE},
    {"new_procedure", fn_new_procedure, FN_ANY_SCOPE | FN_CHANGE},
    {"new_token", fn_new_token, FN_THINGSDB | FN_CHANGE},
    {"new_type", fn_new_type, FN_COLLECTION | FN_CHANGE},
    {"new_user", fn_new_user, FN_THINGSDB | FN_CHANGE},
    {"node_err", fn_node_err, FN_ANY_SCOPE},
    {"now", fn_now, FN_ANY_SCOPE},
    {"nse", fn_nse, FN_ANY_SCOPE},
    {"num_arguments_err", fn_num_arguments_err, FN_ANY_SCOPE},
    {"operation_err", fn_operation_err, FN_ANY_SCOPE},
    {"overflow_err", fn_overflow_err, FN_ANY_SCOPE},
    {"pow", fn_pow, FN_ANY_SCOPE},
    {"procedure_doc", fn_procedure_doc, FN_ANY_SCOPE},
    {"procedure_info", fn_procedure_info, FN_ANY_SCOPE},
    {"procedures_info", fn_procedures_info, FN_ANY_SCOPE},
    {"raise", fn_raise, FN_ANY_SCOPE},
    {"rand", fn_rand, FN_ANY_SCOPE},
    {"randint", fn_randint, FN_ANY_SCOPE},
    {"randstr", fn_randstr, FN_ANY_SCOPE},
    {"range", fn_range, FN_ANY_SCOPE},
    {"refs", fn_refs, FN_ANY_SCOPE},
    {"regex", fn_regex, FN_ANY_SCOPE},
    {"rename_collection", fn_rename_collection, FN_THINGSDB | FN_CHANGE},
    {"rename_enum", fn_rename_enum, FN_COLLECTION | FN_CHANGE},
    {"rename_procedure", fn_rename_procedure, FN_ANY_SCOPE | FN_CHANGE},
    {"rename_type", fn_rename_type, FN_COLLECTION | FN_CHANGE},
    {"rename_user", fn_rename_user, FN_THINGSDB | FN_CHANGE},
    {"revoke", fn_revoke, FN_THINGSDB | FN_CHANGE},
    {"room", fn_room, FN_ANY_SCOPE},
    {"root", fn_root, FN_ANY_SCOPE},
    {"round", fn_round, FN_ANY_SCOPE},
    {"run", fn_run, FN_ANY_SCOPE},
    {"set", fn_set, FN_ANY_SCOPE},
    {"set_default_deep", fn_set_default_deep, FN_THINGSDB | FN_CHANGE},
    {"set_enum", fn_set_enum, FN_COLLECTION | FN_CHANGE},
    {"set_time_zone", fn_set_time_zone, FN_THINGSDB | FN_CHANGE},
    {"set_type", fn_set_type, FN_COLLECTION | FN_CHANGE},
    {"sin", fn_sin, FN_ANY_SCOPE},
    {"sqrt", fn_sqrt, FN_ANY_SCOPE},
    {"str", fn_str, FN_ANY_SCOPE},
    {"syntax_err", fn_syntax_err, FN_ANY_SCOPE},
    {"tan", fn_tan, FN_ANY_SCOPE},
    {"task", fn_task, FN_ANY_SCOPE | FN_CHANGE},
    {"tasks", fn_tasks, FN_ANY_SCOPE},
    {"thing", fn_thing, FN_ANY_SCOPE},
    {"time_zones_info", fn_time_zones_info, FN_THINGSDB},
    {"timeit", fn_timeit, FN_ANY_SCOPE},
    {"timeval", fn_timeval, FN_ANY_SCOPE},
    {"try", fn_try, FN_ANY_SCOPE},
    {"type", fn_type, FN_ANY_SCOPE},
    {"type_all", fn_type_all, FN_COLLECTION},
    {"type_assert", fn_type_assert, FN_ANY_SCOPE},
    {"type_count", fn_type_count, FN_COLLECTION},
    {"type_err", fn_type_err, FN_ANY_SCOPE},
    {"type_info", fn_type_info, FN_COLLECTION},
    {"types_info", fn_types_info, FN_COLLECTION},
    {"user_info", fn_user_info, FN_ANY_SCOPE},
    {"users_info", fn_users_info, FN_THINGSDB},
    {"value_err", fn_value_err, FN_ANY_SCOPE},
    {"wse", fn_wse, FN_ANY_SCOPE},
    {"zero_div_err", fn_zero_div_err, FN_ANY_SCOPE},
};

constexpr MethodDef kMethods[] = {
    // Int (fn/math.cpp)
    {VT::Int, {"bit_count", m_int_bit_count, FN_ANY_SCOPE}},
    // Str (fn/str.cpp)
    {VT::Str, {"contains", m_str_contains, FN_ANY_SCOPE}},
    {VT::Str, {"ends_with", m_str_ends_with, FN_ANY_SCOPE}},
    {VT::Str, {"len", m_str_len, FN_ANY_SCOPE}},
    {VT::Str, {"lower", m_str_lower, FN_ANY_SCOPE}},
    {VT::Str, {"replace", m_str_replace, FN_ANY_SCOPE}},
    {VT::Str, {"split", m_str_split, FN_ANY_SCOPE}},
    {VT::Str, {"starts_with", m_str_starts_with, FN_ANY_SCOPE}},
    {VT::Str, {"test", m_str_test, FN_ANY_SCOPE}},
    {VT::Str, {"trim", m_str_trim, FN_ANY_SCOPE}},
    {VT::Str, {"trim_left", m_str_trim_left, FN_ANY_SCOPE}},
    {VT::Str, {"trim_right", m_str_trim_right, FN_ANY_SCOPE}},
    {VT::Str, {"upper", m_str_upper, FN_ANY_SCOPE}},
    // Bytes (fn/str.cpp)
    {VT::Bytes, {"len", m_bytes_len, FN_ANY_SCOPE}},
    // List (fn/list.cpp)
    {VT::List, {"choice", m_list_choice, FN_ANY_SCOPE}},
    {VT::List, {"clear", m_list_clear, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::List, {"copy", m_list_copy, FN_ANY_SCOPE}},
    {VT::List, {"count", m_list_count, FN_ANY_SCOPE}},
    {VT::List, {"dup", m_list_dup, FN_ANY_SCOPE}},
    {VT::List, {"each", m_list_each, FN_ANY_SCOPE}},
    {VT::List, {"every", m_list_every, FN_ANY_SCOPE}},
    {VT::List, {"extend", m_list_extend, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::List, {"extend_unique", m_list_extend_unique, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::List, {"fill", m_list_fill, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::List, {"filter", m_list_filter, FN_ANY_SCOPE}},
    {VT::List, {"find", m_list_find, FN_ANY_SCOPE}},
    {VT::List, {"find_index", m_list_find_index, FN_ANY_SCOPE}},
    {VT::List, {"first", m_list_first, FN_ANY_SCOPE}},
    {VT::List, {"flat", m_list_flat, FN_ANY_SCOPE}},
    {VT::List, {"has", m_list_has, FN_ANY_SCOPE}},
    {VT::List, {"index_of", m_list_index_of, FN_ANY_SCOPE}},
    {VT::List, {"is_unique", m_list_is_unique, FN_ANY_SCOPE}},
    {VT::List, {"join", m_list_join, FN_ANY_SCOPE}},
    {VT::List, {"last", m_list_last, FN_ANY_SCOPE}},
    {VT::List, {"len", m_list_len, FN_ANY_SCOPE}},
    {VT::List, {"map", m_list_map, FN_ANY_SCOPE}},
    {VT::List, {"map_id", m_list_map_id, FN_ANY_SCOPE}},
    {VT::List, {"map_type", m_list_map_type, FN_COLLECTION}},
    {VT::List, {"map_wrap", m_list_map_wrap, FN_ANY_SCOPE}},
    {VT::List, {"max", m_list_max, FN_ANY_SCOPE}},
    {VT::List, {"min", m_list_min, FN_ANY_SCOPE}},
    {VT::List, {"pop", m_list_pop, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::List, {"push", m_list_push, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::List, {"reduce", m_list_reduce, FN_ANY_SCOPE}},
    {VT::List, {"remove", m_list_remove, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::List, {"restriction", m_list_restriction, FN_ANY_SCOPE}},
    {VT::List, {"reverse", m_list_reverse, FN_ANY_SCOPE}},
    {VT::List, {"shift", m_list_shift, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::List, {"some", m_list_some, FN_ANY_SCOPE}},
    {VT::List, {"sort", m_list_sort, FN_ANY_SCOPE}},
    {VT::List, {"splice", m_list_splice, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::List, {"sum", m_list_sum, FN_ANY_SCOPE}},
    {VT::List, {"unique", m_list_unique, FN_ANY_SCOPE}},
    {VT::List, {"unshift", m_list_unshift, FN_ANY_SCOPE | FN_CHANGE}},
    // Thing (fn/thing.cpp)
    {VT::Thing, {"assign", m_thing_assign, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Thing, {"clear", m_thing_clear, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Thing, {"copy", m_thing_copy, FN_ANY_SCOPE}},
    {VT::Thing, {"del", m_thing_del, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Thing, {"dup", m_thing_dup, FN_ANY_SCOPE}},
    {VT::Thing, {"each", m_thing_each, FN_ANY_SCOPE}},
    {VT::Thing, {"emit", m_thing_emit, FN_COLLECTION | FN_CHANGE}},
    {VT::Thing, {"equals", m_thing_equals, FN_ANY_SCOPE}},
    {VT::Thing, {"filter", m_thing_filter, FN_ANY_SCOPE}},
    {VT::Thing, {"get", m_thing_get, FN_ANY_SCOPE}},
    {VT::Thing, {"has", m_thing_has, FN_ANY_SCOPE}},
    {VT::Thing, {"id", m_thing_id, FN_ANY_SCOPE}},
    {VT::Thing, {"keys", m_thing_keys, FN_ANY_SCOPE}},
    {VT::Thing, {"len", m_thing_len, FN_ANY_SCOPE}},
    {VT::Thing, {"load", m_thing_load, FN_NONE}},
    {VT::Thing, {"map", m_thing_map, FN_ANY_SCOPE}},
    {VT::Thing, {"remove", m_thing_remove, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Thing, {"ren", m_thing_ren, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Thing, {"restrict", m_thing_restrict, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Thing, {"restriction", m_thing_restriction, FN_ANY_SCOPE}},
    {VT::Thing, {"search", m_thing_search, FN_ANY_SCOPE}},
    {VT::Thing, {"set", m_thing_set, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Thing, {"to_thing", m_thing_to_thing, FN_COLLECTION | FN_CHANGE}},
    {VT::Thing, {"to_type", m_thing_to_type, FN_COLLECTION | FN_CHANGE}},
    {VT::Thing, {"values", m_thing_values, FN_ANY_SCOPE}},
    {VT::Thing, {"vmap", m_thing_vmap, FN_ANY_SCOPE}},
    {VT::Thing, {"wrap", m_thing_wrap, FN_ANY_SCOPE}},
    // Set (fn/set.cpp)
    {VT::Set, {"add", m_set_add, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Set, {"clear", m_set_clear, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Set, {"copy", m_set_copy, FN_ANY_SCOPE}},
    {VT::Set, {"dup", m_set_dup, FN_ANY_SCOPE}},
    {VT::Set, {"each", m_set_each, FN_ANY_SCOPE}},
    {VT::Set, {"every", m_set_every, FN_ANY_SCOPE}},
    {VT::Set, {"filter", m_set_filter, FN_ANY_SCOPE}},
    {VT::Set, {"find", m_set_find, FN_ANY_SCOPE}},
    {VT::Set, {"has", m_set_has, FN_ANY_SCOPE}},
    {VT::Set, {"len", m_set_len, FN_ANY_SCOPE}},
    {VT::Set, {"map", m_set_map, FN_ANY_SCOPE}},
    {VT::Set, {"map_id", m_set_map_id, FN_ANY_SCOPE}},
    {VT::Set, {"map_wrap", m_set_map_wrap, FN_ANY_SCOPE}},
    {VT::Set, {"one", m_set_one, FN_ANY_SCOPE}},
    {VT::Set, {"reduce", m_set_reduce, FN_ANY_SCOPE}},
    {VT::Set, {"remove", m_set_remove, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Set, {"restriction", m_set_restriction, FN_ANY_SCOPE}},
    {VT::Set, {"some", m_set_some, FN_ANY_SCOPE}},
    // Closure (fn/closure.cpp)
    {VT::Closure, {"call", m_closure_call, FN_ANY_SCOPE}},
    {VT::Closure, {"doc", m_closure_doc, FN_ANY_SCOPE}},
    // Regex (fn/regex.cpp)
    {VT::Regex, {"match", m_regex_match, FN_ANY_SCOPE}},
    {VT::Regex, {"test", m_regex_test, FN_ANY_SCOPE}},
    // Error (fn/errors.cpp)
    {VT::Error, {"code", m_error_code, FN_ANY_SCOPE}},
    {VT::Error, {"msg", m_error_msg, FN_ANY_SCOPE}},
    // Datetime (fn/datetime.cpp)
    {VT::Datetime, {"extract", m_datetime_extract, FN_ANY_SCOPE}},
    {VT::Datetime, {"format", m_datetime_format, FN_ANY_SCOPE}},
    {VT::Datetime, {"move", m_datetime_move, FN_ANY_SCOPE}},
    {VT::Datetime, {"replace", m_datetime_replace, FN_ANY_SCOPE}},
    {VT::Datetime, {"to", m_datetime_to, FN_ANY_SCOPE}},
    {VT::Datetime, {"week", m_datetime_week, FN_ANY_SCOPE}},
    {VT::Datetime, {"weekday", m_datetime_weekday, FN_ANY_SCOPE}},
    {VT::Datetime, {"yday", m_datetime_yday, FN_ANY_SCOPE}},
    {VT::Datetime, {"zone", m_datetime_zone, FN_ANY_SCOPE}},
    // Timeval (fn/datetime.cpp)
    {VT::Timeval, {"extract", m_datetime_extract, FN_ANY_SCOPE}},
    {VT::Timeval, {"format", m_datetime_format, FN_ANY_SCOPE}},
    {VT::Timeval, {"move", m_datetime_move, FN_ANY_SCOPE}},
    {VT::Timeval, {"replace", m_datetime_replace, FN_ANY_SCOPE}},
    {VT::Timeval, {"to", m_datetime_to, FN_ANY_SCOPE}},
    {VT::Timeval, {"week", m_datetime_week, FN_ANY_SCOPE}},
    {VT::Timeval, {"weekday", m_datetime_weekday, FN_ANY_SCOPE}},
    {VT::Timeval, {"yday", m_datetime_yday, FN_ANY_SCOPE}},
    {VT::Timeval, {"zone", m_datetime_zone, FN_ANY_SCOPE}},
    // EnumMember (fn/enums.cpp)
    {VT::EnumMember, {"name", m_enum_name, FN_ANY_SCOPE}},
    {VT::EnumMember, {"value", m_enum_value, FN_ANY_SCOPE}},
    // Wrap (fn/wrap.cpp)
    {VT::Wrap, {"copy", m_wrap_copy, FN_ANY_SCOPE}},
    {VT::Wrap, {"dup", m_wrap_dup, FN_ANY_SCOPE}},
    {VT::Wrap, {"id", m_wrap_id, FN_ANY_SCOPE}},
    {VT::Wrap, {"unwrap", m_wrap_unwrap, FN_ANY_SCOPE}},
    // Future (fn/future.cpp)
    {VT::Future, {"else", m_future_else, FN_ANY_SCOPE}},
    {VT::Future, {"then", m_future_then, FN_ANY_SCOPE}},
    // Room (fn/room.cpp)
    {VT::Room, {"emit", m_room_emit, FN_ANY_SCOPE}},
    {VT::Room, {"id", m_room_id, FN_ANY_SCOPE}},
    {VT::Room, {"name", m_room_name, FN_ANY_SCOPE}},
    {VT::Room, {"set_name", m_room_set_name, FN_ANY_SCOPE | FN_CHANGE}},
    // Task (fn/tasks.cpp)
    {VT::Task, {"again_at", m_task_again_at, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Task, {"again_in", m_task_again_in, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Task, {"args", m_task_args, FN_ANY_SCOPE}},
    {VT::Task, {"at", m_task_at, FN_ANY_SCOPE}},
    {VT::Task, {"cancel", m_task_cancel, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Task, {"closure", m_task_closure, FN_ANY_SCOPE}},
    {VT::Task, {"del", m_task_del, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Task, {"err", m_task_err, FN_ANY_SCOPE}},
    {VT::Task, {"id", m_task_id, FN_ANY_SCOPE}},
    {VT::Task, {"owner", m_task_owner, FN_ANY_SCOPE}},
    {VT::Task, {"set_args", m_task_set_args, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Task, {"set_closure", m_task_set_closure, FN_ANY_SCOPE | FN_CHANGE}},
    {VT::Task, {"set_owner", m_task_set_owner, FN_ANY_SCOPE | FN_CHANGE}},
};

constexpr int kReceivers = static_cast<int>(VT::Task) + 1;

// The lookup, built once from the rows: it is on the evaluator's hot path.
struct Lookup {
    std::unordered_map<std::string_view, const FnDef*> functions;
    std::unordered_map<std::string_view, const FnDef*> methods[kReceivers];
    std::unordered_set<std::string_view> changing;  // names with FN_CHANGE
};

}  // namespace

std::string fn_table_fault(std::span<const FnDef> functions, std::span<const MethodDef> methods) {
    auto fault = [](const char* what, const char* name, const char* after) {
        return std::string(what) + ": `" + name + "` after `" + after + "`";
    };
    for (size_t i = 1; i < functions.size(); ++i) {
        int c = std::strcmp(functions[i - 1].name, functions[i].name);
        if (c >= 0)
            return fault(c ? "functions out of order" : "function repeated", functions[i].name,
                         functions[i - 1].name);
    }
    for (size_t i = 1; i < methods.size(); ++i) {
        const MethodDef& a = methods[i - 1];
        const MethodDef& b = methods[i];
        if (a.receiver > b.receiver) return fault("receivers out of order", b.fn.name, a.fn.name);
        int c = a.receiver == b.receiver ? std::strcmp(a.fn.name, b.fn.name) : -1;
        if (c >= 0)
            return fault(c ? "methods out of order" : "method repeated", b.fn.name, a.fn.name);
    }
    return "";
}

namespace {

Lookup build() {
    std::string fault = fn_table_fault(kFunctions, kMethods);
    if (!fault.empty()) {
        std::fprintf(stderr, "thingsdb: the table of built-ins (fn/table.cpp): %s\n",
                     fault.c_str());
        std::abort();
    }
    Lookup l;
    for (const FnDef& d : kFunctions) {
        l.functions.emplace(d.name, &d);
        if (d.flags & FN_CHANGE) l.changing.insert(d.name);
    }
    for (const MethodDef& m : kMethods) {
        l.methods[static_cast<int>(m.receiver)].emplace(m.fn.name, &m.fn);
        if (m.fn.flags & FN_CHANGE) l.changing.insert(m.fn.name);
    }
    return l;
}

const Lookup& lookup() {
    static const Lookup l = build();
    return l;
}

}  // namespace

std::span<const FnDef> builtin_functions() { return kFunctions; }
std::span<const MethodDef> builtin_methods() { return kMethods; }

void build_fn_table() { (void)lookup(); }

const FnDef* find_function(std::string_view name) {
    const auto& m = lookup().functions;
    auto it = m.find(name);
    return it == m.end() ? nullptr : it->second;
}

const FnDef* find_method(VT receiver, std::string_view name) {
    const auto& m = lookup().methods[static_cast<int>(receiver)];
    auto it = m.find(name);
    return it == m.end() ? nullptr : it->second;
}

bool name_may_change(std::string_view name) { return lookup().changing.count(name) != 0; }

}  // namespace tdb

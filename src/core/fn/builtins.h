// Every implementation of a built-in, by the file that defines it (the
// table of fn/table.cpp names them): functions are fn_<name>, methods
// m_<receiver>_<name> (m_list_push, m_thing_emit). Also the helpers several
// built-in files share and the hooks fn/ implements.
#pragma once

#include "core/api/pure.h"
#include "core/fn/fn.h"

namespace tdb {

// The type of every implementation (FnImpl points to one).
using Builtin = Value(Query& q, Value* self, Args& a);

// fn/errors.cpp: err, raise, try, assert, alt_raise, the *_err constructors; error methods
Builtin fn_alt_raise, fn_assert, fn_assert_err, fn_auth_err, fn_bad_data_err, fn_cancelled_err,
    fn_err, fn_forbidden_err, fn_lookup_err, fn_max_quota_err, fn_node_err, fn_num_arguments_err,
    fn_operation_err, fn_overflow_err, fn_raise, fn_syntax_err, fn_try, fn_type_err, fn_value_err,
    fn_zero_div_err, m_error_code, m_error_msg;

// fn/values.cpp: type tests (is_*), type(), conversions, range, json
Builtin fn_bool, fn_bytes, fn_float, fn_int, fn_is_array, fn_is_ascii, fn_is_bool, fn_is_bytes,
    fn_is_closure, fn_is_datetime, fn_is_enum, fn_is_err, fn_is_float, fn_is_future, fn_is_inf,
    fn_is_int, fn_is_list, fn_is_nan, fn_is_nil, fn_is_raw, fn_is_regex, fn_is_set, fn_is_str,
    fn_is_thing, fn_is_timeval, fn_is_tuple, fn_is_utf8, fn_json_dump, fn_json_load, fn_list,
    fn_range, fn_regex, fn_set, fn_str, fn_thing, fn_type;

// fn/util.cpp: random values, base64, is_email/url/tel, introspection, log, wse/nse, export
Builtin fn_base64_decode, fn_base64_encode, fn_change_id, fn_deep, fn_export, fn_import,
    fn_is_email, fn_is_tel, fn_is_unsupported, fn_is_url, fn_log, fn_nse, fn_rand, fn_randint,
    fn_randstr, fn_refs, fn_root, fn_timeit, fn_wse;

// fn/tasks.cpp: task(), tasks(), is_task and task methods
Builtin fn_is_task, fn_task, fn_tasks, m_task_again_at, m_task_again_in, m_task_args, m_task_at,
    m_task_cancel, m_task_closure, m_task_del, m_task_err, m_task_id, m_task_owner, m_task_set_args,
    m_task_set_closure, m_task_set_owner;

// fn/closure.cpp: closure() and closure methods
Builtin fn_closure, m_closure_call, m_closure_doc;

// fn/room.cpp: room(), is_room() and room methods
Builtin fn_is_room, fn_room, m_room_emit, m_room_id, m_room_name, m_room_set_name;

// fn/future.cpp: future() and future methods
Builtin fn_future, m_future_else, m_future_then;

// fn/math.cpp: math functions and int.bit_count
Builtin fn_abs, fn_ceil, fn_cos, fn_exp, fn_floor, fn_log10, fn_log2, fn_loge, fn_pow, fn_round,
    fn_sin, fn_sqrt, fn_tan, m_int_bit_count;

// fn/str.cpp: str methods, and bytes.len
Builtin m_bytes_len, m_str_contains, m_str_ends_with, m_str_len, m_str_lower, m_str_replace,
    m_str_split, m_str_starts_with, m_str_test, m_str_trim, m_str_trim_left, m_str_trim_right,
    m_str_upper;

// fn/regex.cpp: regex methods
Builtin m_regex_match, m_regex_test;

// fn/list.cpp: list (and tuple) methods
Builtin m_list_choice, m_list_clear, m_list_copy, m_list_count, m_list_dup, m_list_each,
    m_list_every, m_list_extend, m_list_extend_unique, m_list_fill, m_list_filter, m_list_find,
    m_list_find_index, m_list_first, m_list_flat, m_list_has, m_list_index_of, m_list_is_unique,
    m_list_join, m_list_last, m_list_len, m_list_map, m_list_map_id, m_list_map_type,
    m_list_map_wrap, m_list_max, m_list_min, m_list_pop, m_list_push, m_list_reduce, m_list_remove,
    m_list_restriction, m_list_reverse, m_list_shift, m_list_some, m_list_sort, m_list_splice,
    m_list_sum, m_list_unique, m_list_unshift;

// fn/set.cpp: set methods
Builtin m_set_add, m_set_clear, m_set_copy, m_set_dup, m_set_each, m_set_every, m_set_filter,
    m_set_find, m_set_has, m_set_len, m_set_map, m_set_map_id, m_set_map_wrap, m_set_one,
    m_set_reduce, m_set_remove, m_set_restriction, m_set_some;

// fn/thing.cpp: thing methods
Builtin m_thing_assign, m_thing_clear, m_thing_copy, m_thing_del, m_thing_dup, m_thing_each,
    m_thing_emit, m_thing_equals, m_thing_filter, m_thing_get, m_thing_has, m_thing_id,
    m_thing_keys, m_thing_len, m_thing_load, m_thing_map, m_thing_remove, m_thing_ren,
    m_thing_restrict, m_thing_restriction, m_thing_search, m_thing_set, m_thing_to_thing,
    m_thing_to_type, m_thing_values, m_thing_vmap, m_thing_wrap;

// fn/wrap.cpp: new(), ano() and the methods of wrapped things
Builtin fn_ano, fn_new, m_wrap_copy, m_wrap_dup, m_wrap_id, m_wrap_unwrap;

// fn/datetime.cpp: datetime, timeval, time zones; methods of both (m_datetime_*)
Builtin fn_datetime, fn_is_time_zone, fn_now, fn_set_time_zone, fn_time_zones_info, fn_timeval,
    m_datetime_extract, m_datetime_format, m_datetime_move, m_datetime_replace, m_datetime_to,
    m_datetime_week, m_datetime_weekday, m_datetime_yday, m_datetime_zone;

// fn/collections.cpp: collections (@thingsdb)
Builtin fn_collection_info, fn_collections_info, fn_del_collection, fn_has_collection,
    fn_new_collection, fn_rename_collection, fn_set_default_deep;

// fn/procedures.cpp: procedures
Builtin fn_del_procedure, fn_has_procedure, fn_mod_procedure, fn_new_procedure, fn_procedure_doc,
    fn_procedure_info, fn_procedures_info, fn_rename_procedure, fn_run;

// fn/users.cpp: users, tokens and access (@thingsdb)
Builtin fn_del_expired, fn_del_token, fn_del_user, fn_grant, fn_has_token, fn_has_user,
    fn_new_token, fn_new_user, fn_rename_user, fn_revoke, fn_user_info, fn_users_info;

// fn/types.cpp: Types
Builtin fn_del_type, fn_has_type, fn_mod_type, fn_new_type, fn_rename_type, fn_set_type,
    fn_type_all, fn_type_assert, fn_type_count, fn_type_info, fn_types_info;

// fn/enums.cpp: enums and enum member methods
Builtin fn_del_enum, fn_enum, fn_enum_info, fn_enum_map, fn_enums_info, fn_has_enum, fn_mod_enum,
    fn_rename_enum, fn_set_enum, m_enum_name, m_enum_value;

// ---- helpers shared by several built-in files ----
// A uniform random number below n (n > 0), without modulo bias (fn/util.cpp).
uint64_t random_below(uint64_t n);
// Errors that alt_raise and futures catch (as `try` does): ThingsDB's catchable codes.
inline bool catchable(const Error& e) { return e.code() >= -127 && e.code() <= -50; }
// ThingsDB's ti_val_copy / ti_val_dup (fn/copy.cpp): `deep` counts levels of
// things that are copied; below that things are shared. A copy loses the
// Type of an instance, a dup keeps it.
Value copy_value(Query& q, const Value& v, int deep, bool keep_type);
Value copy_thing(Query& q, Thing* src, int deep, bool keep_type);
// `deep` given as an argument: ThingsDB's ti_deep_from_val messages.
int deep_from_val(const Value& v);
// list.copy([deep]), set.copy([deep]) and their dup(): deep 0 by default.
Value copy_collection(Query& q, Value* self, Args& a, bool keep_type);
// list.map_wrap(Type?) / set.map_wrap(Type?) and list.map_type(Type) (fn/wrap.cpp).
Value map_wrap(Query& q, Value* self, Args& a);
Value map_type(Query& q, Value* self, Args& a);

// ---- hooks implemented in fn/, installed by init_core() (core/init.cpp) ----
// fn/procedures.cpp: a call `name(...)` that is no built-in nor variable may
// be a procedure of the scope.
Value call_by_name(Query& q, const Node* n, bool& handled);
// fn/enums.cpp: Enum{MEMBER} and Enum{|| value}; member.method(..).
Value hook_enum_member(Query& q, const Node* n, bool& handled);
Value hook_enum_method(Query& q, Value& self, const Node* n, bool& handled);

}  // namespace tdb

// init_core(): the core's start-up, once per process and before any query.
// It builds the lookup of the built-ins and installs every hook, the points
// where the evaluator and the codec call into the layers above them (Types,
// enums, wraps, procedures, restrictions) without including them.
#include "core/api/codec.h"
#include "core/api/engine.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/model/restrict.h"
#include "core/model/wrap.h"
#include "core/schema/types.h"

namespace tdb {

void init_core() {
    // One thread runs the core in a backend; every entry point calls this.
    static bool done = false;
    if (done) return;
    done = true;

    build_fn_table();  // aborts when fn/table.cpp has a repeated or misplaced row

    // Hooks with several installers are asked in the order they are added.
    // `name(...)` that is no built-in nor variable: a procedure of the scope, then Type(..).
    call_hooks().push_back(call_by_name);
    call_hooks().push_back(hook_call);
    // `Name{...}`: a new instance of a Type; `Enum{MEMBER}` and `Enum{|| value}`.
    instance_hooks().push_back(hook_instance);
    instance_hooks().push_back(hook_enum_member);
    // A method no built-in answers: of an instance's Type, of a wrap's Type, of a member's enum.
    method_hooks().push_back(hook_method);
    method_hooks().push_back(hook_wrap_method);
    method_hooks().push_back(hook_enum_method);
    // A value assigned into a Type instance is checked (and converted) against its field.
    assign_hook = hook_assign;
    // type() of an instance, an enum member or a wrap: its Type's or enum's name.
    type_name_hook = hook_type_name;
    // Things removed from a set of an instance: the other side of a relation follows.
    set_remove_hook = hook_set_remove;
    // A stored enum member {"!m": [enum_id, mid]} read back as the member.
    stored_member_hook = hook_stored_member;
    // A thing's restriction (thing.restrict()) to and from its stored form.
    restriction_encode_hook = encode_restriction;
    restriction_decode_hook = decode_restriction;
}

}  // namespace tdb

// Types and enums: field definitions, the catalog of a collection, and the
// checks that keep Type instances and restricted lists/sets valid. What is
// where: types.cpp (the catalog: rows, per-query state, lookups), type_spec.cpp
// (definitions such as 'str<1:10>?'), type_check.cpp (values against a
// definition), relations.cpp, instances.cpp (creating and calling instances).
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/lang/query.h"
#include "core/model/value.h"

namespace tdb {

// What a definition (or the items of a `[..]`/`{..}` definition) requires.
enum class SK : uint8_t {
    Any,
    Thing,
    Raw,
    Str,
    Utf8,
    Bytes,
    Bool,
    Int,
    UInt,
    PInt,
    NInt,
    Float,
    Number,
    Datetime,
    Timeval,
    Regex,
    Closure,
    Error,
    Arr,
    Set,
    Type,
    Enum,
    StrRange,
    IntRange,
    FloatRange,
    Pattern,
    Email,
    Url,
    Tel,
    AnyEnum,  // 'enum': a member of any enum
    Room,     // 'room' (model/room.h)
    Task,     // 'task' (model/task.h)
};

// Prefix flags of a definition ('&', '-', '+', '*', '?', '!'): how a wrapping
// type shows a value. '*' shows an enum member by its name, '?' leaves out a
// nil value and '!' a value that is false; '&', '-' and '+' are kept with the
// definition.
enum SpecFlag : uint8_t {
    kFlagAmp = 1 << 0,
    kFlagMinus = 1 << 1,
    kFlagPlus = 1 << 2,
    kFlagName = 1 << 3,
    kFlagSkipNil = 1 << 4,
    kFlagSkipFalse = 1 << 5,
};

// A parsed definition such as 'str<1:10>?', '[Note]' or '/^a/i<abc>'.
struct Spec {
    SK kind = SK::Any;
    bool nillable = false;
    uint32_t ref = 0;    // type_id (Type) or enum_id (Enum)
    SK nkind = SK::Any;  // the items of Arr and Set
    bool nnillable = false;
    uint32_t nref = 0;
    int64_t imin = 0, imax = 0;  // IntRange; StrRange (lengths)
    double fmin = 0, fmax = 0;   // FloatRange
    Value dval;                  // a condition's default (IntRange, ..., Pattern)
    Value regex;                 // Pattern
    uint8_t flags = 0;           // SpecFlag
    // dval is the default even when the definition is nillable ('bool<true>?',
    // 'email<..>', ...); an enum's default member is dmid instead.
    bool has_dval = false;
    bool has_member = false;
    uint32_t dmid = 0;
    uint64_t restrict = 0;  // 'thing<..>': the restriction of the thing's values
};

struct TypeDef;

struct Field {
    std::string name;
    std::string raw;  // the definition as written
    Spec spec;
    // A relation (mod_type 'rel'): the field of the other type (spec.ref, or
    // spec.nref for a set) that points back; empty when there is none.
    std::string rel;
    // Anonymous types only: a nested definition ({..} or [{..}]).
    std::shared_ptr<TypeDef> ano;
    // While mod_type 'mod' runs its migration closure the field holds its new
    // definition (so renames and in-use checks see the types and enums it
    // names) but takes any value, as ThingsDB's field is `any` meanwhile: the
    // closure may make instances with values only the new definition fits.
    bool migrating = false;
};

struct Method {
    std::string name;
    Value closure;
};

struct TypeDef {
    uint32_t id = 0;
    std::string name;
    int64_t created_at = 0, modified_at = 0;
    bool wrap_only = false;
    bool hide_id = false;
    bool idx = false;        // mod_type 'idx': an index on its instances (see README)
    bool anonymous = false;  // &{...}: lives in a value, not in the catalog
    bool locked = false;     // being changed (CatalogLock)
    std::string idname;      // anonymous types: the field that renders the id ('#')
    std::vector<Field> fields;
    std::vector<Method> methods;
    Field* field(std::string_view name);
    Method* method(std::string_view name);
    int field_index(std::string_view name) const;
};

struct EnumDef {
    uint32_t id = 0;
    std::string name;
    int64_t created_at = 0, modified_at = 0;
    std::vector<Ref<EnumMemberObj>> members;  // members[0] is the default
    uint32_t next_mid = 0;
    std::vector<Method> methods;
    bool locked = false;  // being changed (CatalogLock)
    EnumMemberObj* member(std::string_view name);
    EnumMemberObj* member_by_mid(uint32_t mid);
    int index_of(const EnumMemberObj* m) const;
};

// The Types and enums of one collection as one query sees them: loaded once,
// on first use, and written through the storage on every change.
class Catalog {
public:
    static Catalog& of(Query& q);
    // The catalog of the running query, or nullptr when none is loaded.
    static Catalog* current();

    TypeDef* type(std::string_view name);
    TypeDef* type(uint32_t id);
    EnumDef* enum_(std::string_view name);
    EnumDef* enum_(uint32_t id);

    // Parses a definition for field `field` of type `t` (ThingsDB's messages).
    Spec parse_spec(TypeDef& t, const std::string& field, const std::string& raw);
    // The value a field gets when none is given.
    Value default_value(const TypeDef& t, const Field& f);
    // Raises when v does not fit the field; may convert it (tuple -> list).
    void check_field(const TypeDef& t, const Field& f, Value& v);
    // A new instance with every field at its default.
    Value new_instance(TypeDef& t);
    // A new instance from a thing (ThingsDB's new(Type, thing) and
    // list.map_type(Type)): the fields the thing has, checked, the others at
    // their defaults; a typed thing must be of type t.
    Value instance_from(TypeDef& t, Thing* from);
    // Saves a type/enum row (and bumps nothing else).
    void save(const TypeDef& t);
    void save(const EnumDef& e);
    uint32_t next_type_id() const;
    uint32_t next_enum_id() const;
    // Stored and unstored instances of a type touched by this query.
    std::vector<Value> instances(uint32_t type_id);

    Query& q;
    uint64_t coll_id = 0;
    std::vector<std::unique_ptr<TypeDef>> types;
    std::vector<std::unique_ptr<EnumDef>> enums;
    std::vector<Ref<Thing>> made;  // instances created in this query

    explicit Catalog(Query& q);
    ~Catalog();

private:
    void load();
    Catalog* prev_ = nullptr;
};

// Held while a Type or enum is changed (ThingsDB's TI_TYPE_FLAG_LOCK and
// TI_ENUM_FLAG_LOCK): the code the change runs (its arguments, closures) may
// not change, delete or rename it, nor convert things to or from the Type
// (check_usable), so no definition the change works on goes away under it. Raises operation_err
// when the Type or enum is locked already.
class CatalogLock {
public:
    CatalogLock(Catalog& c, TypeDef& t);
    CatalogLock(Catalog& c, EnumDef& e);
    ~CatalogLock();
    CatalogLock(const CatalogLock&) = delete;
    CatalogLock& operator=(const CatalogLock&) = delete;

private:
    Catalog& c_;
    uint32_t id_;
    bool enum_;
};
// operation_err when t (e) is being changed: every catalog-changing function
// checks this before it changes t (e).
void check_unlocked(const TypeDef& t);
void check_unlocked(const EnumDef& e);
// operation_err when t is being changed: no thing becomes an instance of t
// (to_type) nor stops being one (to_thing) meanwhile, as ThingsDB's
// ti_type_use.
void check_usable(const TypeDef& t);

// ---- type_check.cpp --------------------------------------------------------

// True when v may be shown through field f of a wrapping type (ThingsDB's
// ti_field_maps_to_val: things map to Type fields, they get wrapped).
bool field_maps(const Field& f, const Value& v);
// True when every value field f (of a Type) may hold can be shown through
// field t of a wrapping type (ThingsDB's ti_field_maps_to_field: an instance
// is shown by its definitions, not by the values it has now).
bool field_maps_field(const Field& t, const Field& f);
// Whether property v of t shows through field f of a wrapping type: by the
// definitions when t is a Type instance with that field, else by the value.
bool field_shows(const Field& f, Thing* t, const Value& v);
// ThingsDB's rule of relations: a thing (or a non-empty set) given to a
// field with a relation of a thing without an id (not stored) raises
// type_err; the relation would have no stored side to point back to.
void relation_needs_id(const TypeDef& t, const Field& f, const Thing* owner, const Value& v);
// Raises as adding v to the set in field `key` of owner would (a restricted
// set of a Type), without changing anything.
void check_set_item(Query& q, Thing* owner, const std::string& key, const Value& v);

// Whether s is a value for an 'email', 'url' or 'tel' definition (k); an
// empty string is not, though it is their default.
bool spec_text_ok(SK k, const std::string& s);

// ---- relations.cpp ---------------------------------------------------------

// The other side of a relation field, or nullptr.
Field* relation_peer(Catalog& c, const Field& f, TypeDef** peer_type);
// After a relation is made: the other side follows every instance of t.
void relation_follow_all(Catalog& c, TypeDef& t, const std::string& field);
// Raises when the instances' present state cannot become a relation between
// f of t and of of ot (ThingsDB's messages); changes nothing.
void relation_check(Catalog& c, const TypeDef& t, const Field& f, const TypeDef& ot,
                    const Field& of);
// After a relation is made: both sides follow each other on every instance.
void relation_make(Catalog& c, uint32_t tid, const std::string& field, uint32_t otid,
                   const std::string& ofield);

// ---- type_spec.cpp ---------------------------------------------------------

// The text of a definition's kind, for messages ("int", "str", ...).
const char* spec_kind_name(SK k);
// Renames the type or enum `from` to `to` in every field definition that
// names it (`from`, `from?`, `[from?]`, `{from}`, ...); saves the types changed.
void rename_in_specs(Catalog& c, const std::string& from, const std::string& to);
// Renames enum member `from` to `to` in every definition with it as default
// (`E{from}`); saves the types changed.
void rename_member_in_specs(Catalog& c, const EnumDef& e, const std::string& from,
                            const std::string& to);
// The first definition `Type.field` with member mid of e as default, or
// empty when no definition has it.
std::string member_default_user(Catalog& c, const EnumDef& e, uint32_t mid);

// ---- types.cpp: helpers of the Type and enum functions ---------------------

// Names ThingsDB keeps for its own definitions and keywords (fn/types.cpp).
bool reserved_type_name(const std::string& n);
// The new name of rename_type/rename_enum (`fn`): a valid name, not reserved,
// and neither a Type's nor an enum's, the one renamed included.
void check_rename_target(Catalog& c, const std::string& to, const char* fn);

// The catalog of the query's collection; raises when the scope has none.
Catalog& cat_of(Query& q);
// The collection's root thing: jobs of Types and enums are recorded on it.
uint64_t root_id(Query& q);
// Records {"<task>":body} on the collection's root (body is JSON text).
void add_catalog_job(Query& q, std::string_view task, const std::string& body);
// A type's fields as rows and jobs have them: [["name","definition"],...].
std::string fields_json(const TypeDef& t);
int64_t now_seconds(Query& q);
// ThingsDB's rendering of a value inside a job (values as results render).
std::string job_value(Query& q, const Value& v);

// ---- hooks into the evaluator (installed by init_core(), core/init.cpp) -------------

// types.cpp: the name of a Type instance's or enum member's type; a stored
// enum member {"!m": [enum_id, mid]} as a value.
const char* hook_type_name(const Value& v);
Value hook_stored_member(uint32_t enum_id, uint32_t mid);
// type_check.cpp: every value a Type instance's property or restricted
// list/set receives (the other side of a relation follows).
void hook_assign(Query& q, Value& v, Thing* owner, const std::string& key, Query::Into into);
// relations.cpp: things removed from a set with a relation let go of its owner.
void hook_set_remove(Query& q, SetObj* s, const std::vector<Thing*>& removed);
// instances.cpp: Type{...}, Type() and Type(id), instance.method(..).
Value hook_instance(Query& q, const Node* n, bool& handled);
Value hook_call(Query& q, const Node* n, bool& handled);
// fn/enums.cpp: Enum() and Enum(value).
Value hook_enum_call(Query& q, const Node* n, bool& handled);
Value hook_method(Query& q, Value& self, const Node* n, bool& handled);
// instances.cpp: a method (closure) of a type or enum called on self with the
// call's arguments; arguments beyond the closure's parameters are not evaluated.
Value call_method(Query& q, const Value& closure, Value& self, const Node* n);

}  // namespace tdb

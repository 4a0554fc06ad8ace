// ThingsDB values: a tagged scalar or a reference-counted heap object.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tdb {

// Intrusive, non-atomic reference counting: values never cross threads (one
// PostgreSQL backend is one thread) and copies happen on every operation, so
// the atomic counts of std::shared_ptr would be pure overhead.
struct Obj {
    uint32_t refs = 0;
    virtual ~Obj() = default;
};

// Deletes an object whose count fell to zero. Objects released while another
// one is being deleted wait in a queue that the outermost call drains: a chain
// of 1,000,000 nested things or lists is freed by a loop, not by a recursion
// of destructors that would overflow the backend's stack.
void free_obj(Obj* o);

template <class T>
class Ref {
public:
    Ref() = default;
    Ref(T* p) : p_(p) {
        if (p_) ++p_->refs;
    }
    Ref(const Ref& o) : p_(o.p_) {
        if (p_) ++p_->refs;
    }
    Ref(Ref&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    template <class U>
    Ref(const Ref<U>& o) : p_(o.get()) {
        if (p_) ++p_->refs;
    }
    ~Ref() { release(); }
    Ref& operator=(const Ref& o) {
        Ref t(o);
        std::swap(p_, t.p_);
        return *this;
    }
    Ref& operator=(Ref&& o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    T* get() const { return p_; }
    T* operator->() const { return p_; }
    T& operator*() const { return *p_; }
    explicit operator bool() const { return p_ != nullptr; }
    bool operator==(const Ref& o) const { return p_ == o.p_; }

private:
    void release() {
        if (p_ && --p_->refs == 0) free_obj(p_);
        p_ = nullptr;
    }
    T* p_ = nullptr;
};

enum class VT : uint8_t {
    Nil,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    List,   // a list; a list stored inside a list is a tuple (ListObj::tuple)
    Thing,  // a thing or a Type instance (Thing::type_id)
    Set,
    Closure,
    Regex,
    Error,
    Datetime,  // seconds + nanoseconds since the epoch, with a UTC offset
    Timeval,
    EnumMember,
    Wrap,  // a thing seen through a Type (thing.wrap(..)); see wrap.h
    Ano,   // an anonymous type &{...}; see wrap.h
    Future,
    Room,  // a room of a collection (room.h)
    Task,  // a scheduled closure (model/task.h)
};

struct StrObj;
struct ListObj;
struct Thing;
struct SetObj;
struct ClosureObj;
struct RegexObj;
struct ErrorObj;
struct DatetimeObj;
struct EnumMemberObj;
struct RoomObj;
struct TaskObj;

class Value {
public:
    Value() : t_(VT::Nil) { u_.i = 0; }
    static Value nil() { return Value(); }
    static Value boolean(bool b) {
        Value v;
        v.t_ = VT::Bool;
        v.u_.b = b;
        return v;
    }
    static Value integer(int64_t i) {
        Value v;
        v.t_ = VT::Int;
        v.u_.i = i;
        return v;
    }
    static Value number(double d) {
        Value v;
        v.t_ = VT::Float;
        v.u_.d = d;
        return v;
    }
    static Value str(std::string s);
    static Value str(std::string_view s) { return str(std::string(s)); }
    static Value str(const char* s) { return str(std::string(s)); }
    static Value bytes(std::string s);
    static Value obj(VT t, Obj* o) {
        Value v;
        v.t_ = t;
        v.u_.o = o;
        if (o) ++o->refs;
        return v;
    }

    Value(const Value& o) : t_(o.t_), u_(o.u_) {
        if (is_obj()) ++u_.o->refs;
    }
    Value(Value&& o) noexcept : t_(o.t_), u_(o.u_) {
        o.t_ = VT::Nil;
        o.u_.i = 0;
    }
    Value& operator=(const Value& o) {
        Value t(o);
        swap(t);
        return *this;
    }
    Value& operator=(Value&& o) noexcept {
        swap(o);
        return *this;
    }
    ~Value() {
        if (is_obj() && --u_.o->refs == 0) free_obj(u_.o);
    }
    void swap(Value& o) noexcept {
        std::swap(t_, o.t_);
        std::swap(u_, o.u_);
    }

    VT type() const { return t_; }
    bool is(VT t) const { return t_ == t; }
    bool is_nil() const { return t_ == VT::Nil; }
    bool is_obj() const { return t_ > VT::Float; }

    bool as_bool() const { return u_.b; }
    int64_t as_int() const { return u_.i; }
    double as_float() const { return u_.d; }
    const std::string& as_str() const;  // Str and Bytes
    StrObj* str_obj() const { return reinterpret_cast<StrObj*>(u_.o); }
    ListObj* list() const { return reinterpret_cast<ListObj*>(u_.o); }
    Thing* thing() const { return reinterpret_cast<Thing*>(u_.o); }
    SetObj* set() const { return reinterpret_cast<SetObj*>(u_.o); }
    ClosureObj* closure() const { return reinterpret_cast<ClosureObj*>(u_.o); }
    RegexObj* regex() const { return reinterpret_cast<RegexObj*>(u_.o); }
    ErrorObj* error() const { return reinterpret_cast<ErrorObj*>(u_.o); }
    DatetimeObj* datetime() const { return reinterpret_cast<DatetimeObj*>(u_.o); }
    EnumMemberObj* member() const { return reinterpret_cast<EnumMemberObj*>(u_.o); }
    RoomObj* room() const { return reinterpret_cast<RoomObj*>(u_.o); }
    TaskObj* task() const { return reinterpret_cast<TaskObj*>(u_.o); }
    Obj* object() const { return u_.o; }

private:
    VT t_;
    union {
        bool b;
        int64_t i;
        double d;
        Obj* o;
    } u_;
};

struct StrObj : Obj {
    explicit StrObj(std::string s) : s(std::move(s)) {}
    std::string s;
};

// The size limit of a string or bytes value made while a query runs
// (Limits::max_str, the setting thingsdb.max_string_size).
extern size_t max_str_size;
[[noreturn]] void str_too_large(size_t size);  // max_quota_err
inline Value Value::str(std::string s) {
    if (s.size() > max_str_size) str_too_large(s.size());
    return obj(VT::Str, new StrObj(std::move(s)));
}
inline Value Value::bytes(std::string s) {
    if (s.size() > max_str_size) str_too_large(s.size());
    return obj(VT::Bytes, new StrObj(std::move(s)));
}
inline const std::string& Value::as_str() const { return str_obj()->s; }

// Where a mutable container lives: the stored thing and property that hold
// it, so a change to the container marks that thing dirty and becomes a
// mutation of it (ThingsDB keeps the same back-reference on lists and sets).
struct Owner {
    Thing* thing = nullptr;
    std::string key;
};

// A list read from storage may keep its items where they are stored until a
// use needs them all (lazy_list.h): items() decodes them then, while size(),
// at() and set_at() read or change one item without decoding the rest.
struct LazyItems;
struct ListObj : Obj {
    ListObj();
    ~ListObj() override;
    std::vector<Value>& items() {
        if (lazy) decode_all();
        return vec_;
    }
    const std::vector<Value>& items() const {
        if (lazy) decode_all();
        return vec_;
    }
    size_t size() const;
    Value at(size_t i) const;        // i < size()
    void set_at(size_t i, Value v);  // i < size()
    // Replaces items [i, i + del) (i + del <= size()) by `ins`, the ones removed appended to
    // `removed` when set; a list kept in chunks stays so (chunked_list.h).
    void splice(size_t i, size_t del, std::vector<Value>& ins, std::vector<Value>* removed);
    bool is_lazy() const { return lazy != nullptr; }
    void decode_all() const;

    mutable std::vector<Value> vec_;    // the items once decoded (use items())
    mutable LazyItems* lazy = nullptr;  // see lazy_list.h
    bool tuple = false;
    Owner owner;
    uint32_t in_use = 0;  // > 0 while iterated; changes are refused then
};

// Marks a list, set or thing in use while it is iterated with anything that
// may run user code meanwhile (closures, Type and wrap methods): a change of
// it is refused then (Query::check_not_in_use), so no iterator or index into
// it goes stale.
template <class T>
class InUseMark {
public:
    explicit InUseMark(T* o) : o_(o) { ++o_->in_use; }
    ~InUseMark() { --o_->in_use; }
    InUseMark(const InUseMark&) = delete;
    InUseMark& operator=(const InUseMark&) = delete;

private:
    T* o_;
};

struct ErrorObj : Obj {
    ErrorObj(int c, std::string m) : code(c), msg(std::move(m)) {}
    int code;
    std::string msg;
};

// A member of an enum (the enum lives in the collection's catalog, see
// types.h). The catalog keeps one object per member for the query, so a
// member renamed or given a new value shows the change everywhere.
struct EnumMemberObj : Obj {
    uint32_t enum_id = 0;
    uint32_t mid = 0;  // the member's stable id within its enum (stored form)
    std::string name;
    Value val;
};

// The most items a list made by the running query may hold (thingsdb.max_list_size;
// lang/query.cpp): max_quota_err past it. Lists read from storage are not checked (the
// limit may have been lowered since); outside a query nothing is checked.
void check_list_size(size_t n);

// Value constructors used everywhere. make_list checks the list limit.
Value make_list(std::vector<Value> items = {});
Value make_error(int code, std::string msg);

// The name ThingsDB gives a value's type: "int", "str", "list", "tuple", ...
// (for a Type instance its Type's name; resolved through the collection).
// The name of a kind of value ("list", "thing", "enum", ...), as ThingsDB
// names it where no Type or tuple is known.
const char* kind_name(VT t);
const char* type_name(const Value& v);

bool truthy(const Value& v);

}  // namespace tdb

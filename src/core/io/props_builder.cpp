// PropsBuilder (codec.h): stored properties from a storage's binary JSON
// (PostgreSQL's jsonb), walked as events; the thing gets what decode_props
// gives it for the same JSON as text.
#include "core/api/codec.h"

#include <algorithm>

#include "core/api/error.h"
#include "core/io/stored.h"
#include "core/model/chunked_list.h"
#include "core/model/lazy_list.h"
#include "core/model/poll.h"
#include "core/model/thing.h"

namespace tdb {

struct PropsBuilder::Frame {
    bool array;
    Props props;      // an object's properties so far
    std::string key;  // an object's pending key
    Value list;       // an array's ListObj
};

namespace {
// The frame stack of a finished builder, kept for the next one (a query
// decodes one builder per thing it loads): no allocation per thing.
std::vector<PropsBuilder::Frame>* spare_stack = nullptr;
}  // namespace

PropsBuilder::PropsBuilder(Collection& c, Thing* t, std::vector<uint64_t>* refs)
    : PropsBuilder(&c, refs) {
    thing_ = t;
}

PropsBuilder::PropsBuilder(Collection* c, std::vector<uint64_t>* refs)
    : coll_(c), thing_(nullptr), refs_(refs) {
    if (spare_stack) {
        stack_ = spare_stack;
        spare_stack = nullptr;
    } else {
        stack_ = new std::vector<Frame>();
    }
}

PropsBuilder::~PropsBuilder() {
    if (spare_stack || stack_->size() > 64) {
        delete stack_;
        return;
    }
    for (Frame& f : *stack_) {  // nothing of this thing stays in the frames
        f.props.clear();
        f.list = Value();
    }
    spare_stack = stack_;
}

PropsBuilder::Frame& PropsBuilder::push(bool array) {
    // No stored value nests deeper than the writer allows (walk.h: lists,
    // plus the properties object and a tagged object at the bottom); the
    // JSON reader refuses the same depth.
    if (depth_ > static_cast<size_t>(kMaxNesting) + 2) raise(VALUE_ERR, "JSON nested too deep");
    if (depth_ == stack_->size()) stack_->emplace_back();
    Frame& f = (*stack_)[depth_++];
    f.array = array;
    f.props.clear();
    f.key.clear();
    return f;
}

void PropsBuilder::put(Value v) {
    if (depth_ == 0) raise(VALUE_ERR, "invalid stored properties");
    Frame& f = (*stack_)[depth_ - 1];
    if (count_only_ && depth_ == 1) {
        ++counted_;
        return;
    }
    if (f.array) {
        // Nested lists are tuples in ThingsDB.
        if (v.is(VT::List)) v.list()->tuple = true;
        f.list.list()->vec_.push_back(std::move(v));
    } else if (depth_ == 1) {
        if (!thing_) raise(VALUE_ERR, "invalid stored properties");
        stored_top_prop(thing_, std::move(f.key), std::move(v));
    } else {
        f.props.push_back({std::move(f.key), std::move(v)});
    }
}

void PropsBuilder::begin_object(size_t size_hint) {
    Frame& f = push(false);
    if (size_hint == 0) return;
    if (depth_ == 1)
        thing_->props_.reserve(thing_->props_.size() + size_hint);
    else
        f.props.reserve(size_hint);
}

void PropsBuilder::key(std::string_view k) {
    if (depth_ == 0 || (*stack_)[depth_ - 1].array) raise(VALUE_ERR, "invalid stored properties");
    (*stack_)[depth_ - 1].key.assign(k);
}

void PropsBuilder::end_object() {
    if (depth_ == 0 || (*stack_)[depth_ - 1].array) raise(VALUE_ERR, "invalid stored properties");
    Frame& f = (*stack_)[--depth_];
    if (depth_ == 0) return;  // the properties themselves
    if (depth_ == 1 && f.props.size() == 1 && f.props[0].key == "!L") {
        Value dir = std::move(f.props[0].val);
        f.props.clear();
        chunk_dir(dir);
        return;
    }
    // A reference {"#": id}, the most frequent object: straight to the stub.
    if (f.props.size() == 1 && f.props[0].key == "#" && f.props[0].val.is(VT::Int)) {
        reference(static_cast<uint64_t>(f.props[0].val.as_int()));
        return;
    }
    Props props = std::move(f.props);
    put(stored_object(std::move(props), coll_, refs_));
}

void PropsBuilder::reference(uint64_t id) {
    if (depth_ == 0) raise(VALUE_ERR, "invalid stored properties");
    if (in_chunk_dir()) {
        // A chunk row is no thing of the collection: its id stays a number. The parent counts
        // it through the list's source (Thing::lazy_refs); a walk for references only (no
        // collection: a drop) takes it as a reference.
        if (!coll_ && refs_) refs_->push_back(id);
        put(Value::integer(static_cast<int64_t>(id)));
        return;
    }
    if (refs_) refs_->push_back(id);
    put(coll_ ? coll_->thing_ref(id) : Value::nil());
}

bool PropsBuilder::in_chunk_dir() const {
    return depth_ == 3 && !(*stack_)[0].array && !(*stack_)[1].array && (*stack_)[2].array &&
           (*stack_)[1].key == "!L";
}

// {"!L": [{"#": chunk}, count, ...]} as a property of the top level: a list kept in chunks
// (chunked_list.h). A form the writer never makes is refused as a damaged row is.
void PropsBuilder::chunk_dir(const Value& dir) {
    auto bad = [] { raise(VALUE_ERR, "invalid stored properties"); };
    if (!dir.is(VT::List)) bad();
    const std::vector<Value>& v = dir.list()->items();
    if (v.empty() || v.size() % 2) bad();
    std::vector<uint64_t> ids;
    std::vector<uint32_t> counts;
    ids.reserve(v.size() / 2);
    counts.reserve(v.size() / 2);
    for (size_t i = 0; i < v.size(); i += 2) {
        poll_tick();
        if (!v[i].is(VT::Int) || !v[i + 1].is(VT::Int) || v[i].as_int() <= 0 ||
            v[i + 1].as_int() <= 0 || v[i + 1].as_int() > int64_t{1} << 20)
            bad();
        ids.push_back(static_cast<uint64_t>(v[i].as_int()));
        counts.push_back(static_cast<uint32_t>(v[i + 1].as_int()));
    }
    if (!coll_ || !thing_) {
        put(Value::nil());  // a walk for references: the chunk ids were taken as references
        return;
    }
    lazy_list(std::make_shared<ChunkedList>(coll_->id(), std::move(ids), std::move(counts)));
}

void PropsBuilder::begin_array(size_t size_hint) {
    if (depth_ == 0) raise(VALUE_ERR, "invalid stored properties");
    auto* l = new ListObj();
    push(true).list = Value::obj(VT::List, l);
    if (size_hint) l->vec_.reserve(size_hint);
}

void PropsBuilder::end_array() {
    if (depth_ == 0 || !(*stack_)[depth_ - 1].array) raise(VALUE_ERR, "invalid stored properties");
    Value l = std::move((*stack_)[--depth_].list);
    put(std::move(l));
}

std::shared_ptr<const std::string> PropsBuilder::row_bytes(size_t* off) {
    if (!row_) return nullptr;
    if (row_->view_owner && row_->props_view.data()) {
        *off = static_cast<size_t>(row_->props_view.data() - row_->view_owner->data());
        return row_->view_owner;
    }
    // The row's own bytes go with the row: the lists keep a copy.
    if (!row_copy_) row_copy_ = std::make_shared<const std::string>(row_->bin());
    *off = 0;
    return row_copy_;
}

void PropsBuilder::lazy_list(std::shared_ptr<const ListSource> src) {
    if (depth_ != 1 || !thing_) raise(VALUE_ERR, "invalid stored properties");
    // The thing's count of references holds the list's as long as the list
    // is kept by this source (Thing::lazy_refs); they are read when it is not.
    thing_->lazy_refs.push_back(src);
    put(make_lazy_list(coll_, std::move(src)));
}

Value PropsBuilder::list_item(Collection* c, const ListSource& src, size_t i) {
    PropsBuilder b(c, nullptr);
    auto* l = new ListObj();
    b.push(true).list = Value::obj(VT::List, l);  // the stack may grow: no reference kept
    src.items(i, i + 1, b);
    if (b.depth_ != 1) raise(VALUE_ERR, "invalid stored properties");
    std::vector<Value>& got = l->vec_;
    if (got.size() != 1) raise(VALUE_ERR, "invalid stored properties");
    Value v = std::move(got[0]);
    got.clear();
    return v;
}

void PropsBuilder::list_items(Collection* c, const ListSource& src, std::vector<Value>& out,
                              std::vector<uint64_t>* refs) {
    PropsBuilder b(c, refs);
    auto* l = new ListObj();
    b.push(true).list = Value::obj(VT::List, l);
    size_t n = src.size();
    l->vec_.reserve(n);
    for (size_t from = 0; from < n; from += 1024) {
        size_t to = std::min(n, from + 1024);
        src.items(from, to, b);
        for (size_t k = from; k < to; ++k) poll_tick();  // a list of user data
    }
    if (b.depth_ != 1 || l->vec_.size() != src.size())
        raise(VALUE_ERR, "invalid stored properties");
    out = std::move(l->vec_);
    l->vec_.clear();
}

void PropsBuilder::list_range(Collection* c, const ListSource& src, size_t from, size_t to,
                              std::vector<Value>& out) {
    PropsBuilder b(c, nullptr);
    auto* l = new ListObj();
    b.push(true).list = Value::obj(VT::List, l);
    out.clear();
    l->vec_.swap(out);  // the caller's room is reused
    l->vec_.reserve(to - from);
    for (size_t at = from; at < to; at += 1024) {
        size_t e = std::min(to, at + 1024);
        src.items(at, e, b);
        for (size_t k = at; k < e; ++k) poll_tick();  // a list of user data
    }
    if (b.depth_ != 1 || l->vec_.size() != to - from) raise(VALUE_ERR, "invalid stored properties");
    out.swap(l->vec_);
}

void PropsBuilder::list_refs(const ListSource& src, std::vector<uint64_t>& refs) {
    // A chunked list's parent holds its chunks; the chunks hold the items.
    if (const ChunkedList* c = as_chunked(&src)) {
        refs.insert(refs.end(), c->chunk_ids().begin(), c->chunk_ids().end());
        return;
    }
    PropsBuilder b(nullptr, &refs);
    b.count_only_ = true;
    b.push(true).list = Value::obj(VT::List, new ListObj());
    size_t n = src.size();
    for (size_t from = 0; from < n; from += 1024) {
        size_t to = std::min(n, from + 1024);
        src.items(from, to, b);
        for (size_t k = from; k < to; ++k) poll_tick();  // a list of user data
    }
    if (b.depth_ != 1 || b.counted_ != n) raise(VALUE_ERR, "invalid stored properties");
}

void PropsBuilder::bin_refs(const PropsDecoder& d, std::string_view bin,
                            std::vector<uint64_t>& out) {
    Thing tmp;  // the values read; references are nil (no collection)
    PropsBuilder b(nullptr, &out);
    b.thing_ = &tmp;
    d.decode(bin, b);
}

std::vector<uint64_t> refs_of(const StoredThing& st) {
    std::vector<uint64_t> refs;
    refs_of(st.decoder, st.decoder ? st.bin() : std::string_view(st.props_json), refs);
    return refs;
}

void refs_of(const PropsDecoder* decoder, std::string_view props, std::vector<uint64_t>& out) {
    if (!decoder) {
        std::vector<uint64_t> refs = refs_of(props);
        out.insert(out.end(), refs.begin(), refs.end());
        return;
    }
    // References are the objects {"#": id}, {"!s": [ids]} and {"!o": id} (StoredForm):
    // bytes holding none of these keys hold none, and are not walked.
    if (props.find('#') == std::string_view::npos && props.find("!s") == std::string_view::npos &&
        props.find("!o") == std::string_view::npos)
        return;
    PropsBuilder::bin_refs(*decoder, props, out);
}

void PropsBuilder::null() { put(Value::nil()); }
void PropsBuilder::boolean(bool b) { put(Value::boolean(b)); }
void PropsBuilder::integer(int64_t i) { put(Value::integer(i)); }
void PropsBuilder::number(double d) { put(Value::number(d)); }
void PropsBuilder::string(std::string_view s) { put(Value::str(std::string(s))); }

}  // namespace tdb

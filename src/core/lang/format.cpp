// ThingsDB's closure formatter (ti_closure_def): what str(closure), a
// template and log() make of a closure, and the `definition` of a method or
// procedure. The closure is written from its syntax tree, not its text: one
// space around binary operators and assignments, `, ` between arguments,
// parameters and list items, prefix operators glued to their operand,
// literals as written.
// A block, and a thing or list of two or more items, takes one line per item
// indented by a tab; a chain of calls or assignments longer than 40 source
// characters puts every later link on its own line, as does a ternary.
#include <string>
#include <vector>

#include "core/api/error.h"
#include "core/lang/ast.h"
#include "core/lang/query.h"
#include "core/model/poll.h"

namespace tdb {

namespace {

// ThingsDB's INDENT_THRESHOLD: a chain or a ternary whose source is longer
// is spread over lines.
constexpr size_t kIndentThreshold = 40;

bool is_link(NK k) { return k == NK::Prop || k == NK::PropAssign || k == NK::Method; }
bool is_index(NK k) {
    return k == NK::Index || k == NK::IndexAssign || k == NK::Slice || k == NK::SliceAssign;
}
bool is_postfix(NK k) { return is_link(k) || is_index(k); }

class Formatter {
public:
    explicit Formatter(const std::string& src) : src_(src) {}
    std::string out;

    void closure(const Node* n) {
        out += '|';
        for (size_t i = 0; i < n->names.size(); ++i) {
            if (i) out += ", ";
            out += interned(n->names[i]);
        }
        out += "| ";
        statement(n->kids[0]);
    }

private:
    const std::string& src_;
    int indent_ = 0;
    int depth_ = 0;

    // The parser bounds the nesting of the tree; the guard keeps the walk
    // within the stack as every recursion in the core does.
    struct Guard {
        Formatter& f;
        explicit Guard(Formatter& f) : f(f) {
            if (++f.depth_ > 2000) stack_depth_exceeded();
            check_stack_depth();
        }
        ~Guard() { --f.depth_; }
    };

    void new_line_indent() {
        out += '\n';
        out.append(static_cast<size_t>(indent_), '\t');
    }
    void write_indent() { out.append(static_cast<size_t>(indent_), '\t'); }

    std::string_view text(const Node* n) const {
        if (n->end <= n->pos || n->end > src_.size()) return {};
        return std::string_view(src_).substr(n->pos, n->end - n->pos);
    }

    static std::string assign_text(Op op) {
        if (op == Op::None) return " = ";
        return std::string(" ") + op_text(op) + "= ";
    }

    // The first source byte of a node's text (its leftmost operand).
    static uint32_t start(const Node* n) {
        while (n->kind == NK::Binary || n->kind == NK::And || n->kind == NK::Or ||
               n->kind == NK::Ternary || is_postfix(n->kind)) {
            if (n->parens) break;
            n = n->kids[0];
        }
        return n->pos;
    }

    void statement(const Node* n) {
        Guard g(*this);
        poll_tick();
        for (int i = 0; i < n->parens; ++i) out += '(';
        bare(n);
        for (int i = 0; i < n->parens; ++i) out += ')';
    }

    void items(const std::vector<Node*>& kids, const std::vector<int>* keys, char open,
               char close) {
        if (kids.size() > 1) {
            out += open;
            ++indent_;
            for (size_t i = 0; i < kids.size(); ++i) {
                new_line_indent();
                if (keys) {
                    out += interned((*keys)[i]);
                    out += ':';
                    if (!shorthand(kids[i], (*keys)[i])) {
                        out += ' ';
                        statement(kids[i]);
                    }
                } else {
                    statement(kids[i]);
                }
                out += ',';
            }
            --indent_;
            new_line_indent();
            out += close;
            return;
        }
        out += open;
        if (!kids.empty()) {
            if (keys) {
                out += interned((*keys)[0]);
                out += ": ";
                if (!shorthand(kids[0], (*keys)[0])) statement(kids[0]);
            } else {
                statement(kids[0]);
            }
        }
        out += close;
    }

    // `{a:}`: the value is the variable of the key, written at the key.
    bool shorthand(const Node* v, int key) const {
        if (v->kind != NK::Var || v->name != key || v->parens) return false;
        size_t k = v->pos + interned(key).size();
        while (k < src_.size() &&
               (src_[k] == ' ' || src_[k] == '\t' || src_[k] == '\n' || src_[k] == '\r'))
            ++k;
        return k < src_.size() && src_[k] == ':';
    }

    void block(const Node* n) {
        out += '{';
        ++indent_;
        for (const Node* k : n->kids) {
            new_line_indent();
            statement(k);
            out += ';';
        }
        --indent_;
        new_line_indent();
        out += '}';
    }

    void arguments(const Node* n, size_t from) {
        out += '(';
        for (size_t i = from; i < n->kids.size(); ++i) {
            if (i > from) out += ", ";
            statement(n->kids[i]);
        }
        out += ')';
    }

    // A chain of links and indexes after its first operand, in source order.
    void postfix(const Node* n) {
        std::vector<const Node*> elems;
        const Node* base = n;
        while (is_postfix(base->kind) && (base == n || !base->parens)) {
            elems.push_back(base);
            base = base->kids[0];
        }
        if (base->kind != NK::Root) statement(base);
        bool spread = false;  // later links go on their own lines
        bool raised = false;
        for (size_t i = elems.size(); i-- > 0;) {
            const Node* e = elems[i];
            poll_tick();
            if (is_index(e->kind)) {
                index(e);
                continue;
            }
            const char* dot = e->optional ? ".." : ".";
            if (spread) {
                new_line_indent();
                out += dot;
            } else {
                out += dot;
                if (next_link_acts(elems, i) && e->end > e->pos &&
                    e->end - e->pos > kIndentThreshold) {
                    spread = raised = true;
                    ++indent_;
                }
            }
            out += interned(e->name);
            if (e->kind == NK::Method) {
                arguments(e, 1);
            } else if (e->kind == NK::PropAssign) {
                out += assign_text(e->op);
                statement(e->kids[1]);
            }
        }
        if (raised) --indent_;
    }

    // ThingsDB's test for spreading a chain: the next link calls or assigns.
    static bool next_link_acts(const std::vector<const Node*>& elems, size_t i) {
        for (size_t j = i; j-- > 0;) {
            if (is_link(elems[j]->kind)) return elems[j]->kind != NK::Prop;
        }
        return false;
    }

    void index(const Node* e) {
        out += '[';
        if (e->kind == NK::Index || e->kind == NK::IndexAssign) {
            statement(e->kids[1]);
        } else {
            int colons = e->lit.is(VT::Int) ? static_cast<int>(e->lit.as_int()) : 1;
            for (int p = 0; p < 3; ++p) {
                if (p > colons) break;
                if (p) out += ':';
                if (e->kids[1 + p]) statement(e->kids[1 + p]);
            }
        }
        out += ']';
        if (e->kind == NK::IndexAssign) {
            out += assign_text(e->op);
            statement(e->kids[2]);
        } else if (e->kind == NK::SliceAssign) {
            out += assign_text(e->op);
            statement(e->kids[4]);
        }
    }

    static bool is_operation(const Node* n) {
        return n->kind == NK::Binary || n->kind == NK::And || n->kind == NK::Or;
    }

    // `a + b - c ...`: the left operands are a chain as long as the code, so
    // it is walked by a loop, not by recursion.
    void operations(const Node* n) {
        std::vector<const Node*> spine{n};
        while (is_operation(spine.back()->kids[0]) && !spine.back()->kids[0]->parens)
            spine.push_back(spine.back()->kids[0]);
        statement(spine.back()->kids[0]);
        for (size_t i = spine.size(); i-- > 0;) {
            const Node* o = spine[i];
            poll_tick();
            out += ' ';
            out += o->kind == NK::And ? "&&" : o->kind == NK::Or ? "||" : op_text(o->op);
            out += ' ';
            statement(o->kids[1]);
        }
    }

    void ternary(const Node* n) {
        statement(n->kids[0]);
        uint32_t from = start(n->kids[0]);
        if (n->end > from && n->end - from > kIndentThreshold) {
            ++indent_;
            new_line_indent();
            out += "? ";
            statement(n->kids[1]);
            new_line_indent();
            out += ": ";
            statement(n->kids[2]);
            --indent_;
            return;
        }
        out += " ? ";
        statement(n->kids[1]);
        out += " : ";
        statement(n->kids[2]);
    }

    void bare(const Node* n) {
        switch (n->kind) {
            case NK::Lit:
            case NK::Template:
            case NK::ThingById:
                out += text(n);
                return;
            case NK::Var:
                out += interned(n->name);
                return;
            case NK::Assign:
                out += interned(n->name);
                out += assign_text(n->op);
                statement(n->kids[0]);
                return;
            case NK::Call:
                if (n->pos < src_.size() && src_[n->pos] == '&') {  // &{...}
                    out += '&';
                    statement(n->kids[0]);
                    return;
                }
                out += interned(n->name);
                arguments(n, 0);
                return;
            case NK::Root:
                out += '.';
                return;
            case NK::Prop:
            case NK::PropAssign:
            case NK::Method:
            case NK::Index:
            case NK::IndexAssign:
            case NK::Slice:
            case NK::SliceAssign:
                postfix(n);
                return;
            case NK::ThingLit:
                items(n->kids, &n->names, '{', '}');
                return;
            case NK::ListLit:
                items(n->kids, nullptr, '[', ']');
                return;
            case NK::Instance:
                out += interned(n->name);
                items(n->kids, &n->names, '{', '}');
                return;
            case NK::EnumMember:
                out += interned(n->name);
                out += '{';
                if (n->kids.empty())
                    out += interned(n->names[0]);
                else
                    closure(n->kids[0]);
                out += '}';
                return;
            case NK::Not:
                out += '!';
                statement(n->kids[0]);
                return;
            case NK::Neg:
                out += '-';
                statement(n->kids[0]);
                return;
            case NK::Pos:
                out += '+';
                statement(n->kids[0]);
                return;
            case NK::Inv:
                out.append(static_cast<size_t>(n->slot), '~');
                statement(n->kids[0]);
                return;
            case NK::Binary:
            case NK::And:
            case NK::Or:
                operations(n);
                return;
            case NK::Ternary:
                ternary(n);
                return;
            case NK::Block:
                block(n);
                return;
            case NK::Closure:
                closure(n);
                return;
            case NK::If:
                out += "if (";
                statement(n->kids[0]);
                out += ") ";
                statement(n->kids[1]);
                if (n->kids.size() > 2) {
                    out += " else ";
                    statement(n->kids[2]);
                }
                return;
            case NK::For:
                out += "for (";
                for (size_t i = 0; i < n->names.size(); ++i) {
                    if (i) out += ", ";
                    out += interned(n->names[i]);
                }
                out += " in ";
                statement(n->kids[0]);
                out += ") ";
                statement(n->kids[1]);
                return;
            case NK::Return:
                out += "return";
                for (size_t i = 0; i < n->kids.size(); ++i) {
                    out += i ? ", " : " ";
                    statement(n->kids[i]);
                }
                return;
            case NK::Break:
                out += "break";
                return;
            case NK::Continue:
                out += "continue";
                return;
        }
    }
};

}  // namespace

std::string format_closure(const Program& p, const Node* closure) {
    Formatter f(p.source);
    f.closure(closure);
    return std::move(f.out);
}

}  // namespace tdb

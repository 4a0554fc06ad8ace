// A run of n objects made at once, on the stack when there are few: a short call's arguments
// cost no allocation, and only the n objects used are made and destroyed.
#pragma once

#include "core/api/pure.h"

#include <cstddef>
#include <new>

namespace tdb {

template <typename T, size_t N>
class SmallArray {
public:
    explicit SmallArray(size_t n)
        : n_(0),
          p_(n <= N ? reinterpret_cast<T*>(buf_) : static_cast<T*>(::operator new(sizeof(T) * n))) {
        try {
            for (; n_ < n; ++n_) new (p_ + n_) T();
        } catch (...) {
            release();
            throw;
        }
    }
    ~SmallArray() { release(); }
    SmallArray(const SmallArray&) = delete;
    SmallArray& operator=(const SmallArray&) = delete;

    T* data() { return p_; }
    size_t size() const { return n_; }
    T& operator[](size_t i) { return p_[i]; }

private:
    void release() {
        while (n_ > 0) p_[--n_].~T();
        if (p_ != reinterpret_cast<T*>(buf_)) ::operator delete(p_);
    }
    alignas(T) unsigned char buf_[sizeof(T) * N];
    size_t n_;
    T* p_;
};

}  // namespace tdb

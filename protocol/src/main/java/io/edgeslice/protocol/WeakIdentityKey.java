package io.edgeslice.protocol;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/** A weak reference compared by the identity of its referent. */
final class WeakIdentityKey extends WeakReference<Object> {
    private final int hash;

    WeakIdentityKey(Object referent, ReferenceQueue<Object> q) {
        super(referent, q);
        this.hash = System.identityHashCode(referent);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof WeakIdentityKey k)) {
            return false;
        }
        Object r = get();
        return r != null && r == k.get();
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>
/// The one loop behind every hand-written elementwise kernel: it runs an operator struct over spans at
/// the widest accelerated width (Vector512, then Vector256, then Vector128) and finishes the tail one
/// element at a time. Outputs may alias inputs (each element is read before it is written).
/// </summary>
internal static class Elementwise
{
    /// <summary>d[i] = op(x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> d, TOp op)
        where TOp : struct, IUnaryOperator
    {
        Check(x.Length, d.Length);
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var pd = ref MemoryMarshal.GetReference(d);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                op.Invoke(Vector512.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                op.Invoke(Vector256.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
            {
                op.Invoke(Vector128.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i));
        }
    }

    /// <summary>d[i] = op(x[i], y[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d, TOp op)
        where TOp : struct, IBinaryOperator
    {
        Check(x.Length, y.Length);
        Check(x.Length, d.Length);
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        ref var pd = ref MemoryMarshal.GetReference(d);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
            {
                op.Invoke(Vector128.LoadUnsafe(ref px, i), Vector128.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
        }
    }

    /// <summary>(p[i], s[i]) ← op(p[i], g[i], s[i]), in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update<TOp>(Span<float> p, ReadOnlySpan<float> g, Span<float> s, TOp op)
        where TOp : struct, IUpdateOperator
    {
        Check(p.Length, g.Length);
        Check(p.Length, s.Length);
        ref var pp = ref MemoryMarshal.GetReference(p);
        ref var pg = ref MemoryMarshal.GetReference(g);
        ref var ps = ref MemoryMarshal.GetReference(s);
        nuint n = (nuint)p.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var vp = Vector512.LoadUnsafe(ref pp, i);
                var vs = Vector512.LoadUnsafe(ref ps, i);
                op.Invoke(ref vp, Vector512.LoadUnsafe(ref pg, i), ref vs);
                vp.StoreUnsafe(ref pp, i);
                vs.StoreUnsafe(ref ps, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var vp = Vector256.LoadUnsafe(ref pp, i);
                var vs = Vector256.LoadUnsafe(ref ps, i);
                op.Invoke(ref vp, Vector256.LoadUnsafe(ref pg, i), ref vs);
                vp.StoreUnsafe(ref pp, i);
                vs.StoreUnsafe(ref ps, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
            {
                var vp = Vector128.LoadUnsafe(ref pp, i);
                var vs = Vector128.LoadUnsafe(ref ps, i);
                op.Invoke(ref vp, Vector128.LoadUnsafe(ref pg, i), ref vs);
                vp.StoreUnsafe(ref pp, i);
                vs.StoreUnsafe(ref ps, i);
            }
        }

        for (; i < n; i++)
        {
            op.Invoke(ref Unsafe.Add(ref pp, i), Unsafe.Add(ref pg, i), ref Unsafe.Add(ref ps, i));
        }
    }

    /// <summary>(p[i], m[i], v[i]) ← op(p[i], g[i], m[i], v[i]), in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update<TOp>(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, TOp op)
        where TOp : struct, IMomentsUpdateOperator
    {
        Check(p.Length, g.Length);
        Check(p.Length, m.Length);
        Check(p.Length, v.Length);
        ref var pp = ref MemoryMarshal.GetReference(p);
        ref var pg = ref MemoryMarshal.GetReference(g);
        ref var pm = ref MemoryMarshal.GetReference(m);
        ref var pv = ref MemoryMarshal.GetReference(v);
        nuint n = (nuint)p.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var (vp, vm, vv) = (Vector512.LoadUnsafe(ref pp, i), Vector512.LoadUnsafe(ref pm, i), Vector512.LoadUnsafe(ref pv, i));
                op.Invoke(ref vp, Vector512.LoadUnsafe(ref pg, i), ref vm, ref vv);
                vp.StoreUnsafe(ref pp, i);
                vm.StoreUnsafe(ref pm, i);
                vv.StoreUnsafe(ref pv, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var (vp, vm, vv) = (Vector256.LoadUnsafe(ref pp, i), Vector256.LoadUnsafe(ref pm, i), Vector256.LoadUnsafe(ref pv, i));
                op.Invoke(ref vp, Vector256.LoadUnsafe(ref pg, i), ref vm, ref vv);
                vp.StoreUnsafe(ref pp, i);
                vm.StoreUnsafe(ref pm, i);
                vv.StoreUnsafe(ref pv, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
            {
                var (vp, vm, vv) = (Vector128.LoadUnsafe(ref pp, i), Vector128.LoadUnsafe(ref pm, i), Vector128.LoadUnsafe(ref pv, i));
                op.Invoke(ref vp, Vector128.LoadUnsafe(ref pg, i), ref vm, ref vv);
                vp.StoreUnsafe(ref pp, i);
                vm.StoreUnsafe(ref pm, i);
                vv.StoreUnsafe(ref pv, i);
            }
        }

        for (; i < n; i++)
        {
            op.Invoke(ref Unsafe.Add(ref pp, i), Unsafe.Add(ref pg, i), ref Unsafe.Add(ref pm, i), ref Unsafe.Add(ref pv, i));
        }
    }

    /// <summary>Throws unless the lengths agree; small enough to inline, the message built out of line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int expected, int actual)
    {
        if (actual != expected)
        {
            Mismatch(expected, actual);
        }
    }

    [DoesNotReturn]
    private static void Mismatch(int expected, int actual) =>
        throw new ArgumentException($"Elementwise: spans of {expected} and {actual} elements; every span of one pass must have the same length.");
}

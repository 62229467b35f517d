using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>
/// Uniform floats in [0, 1) as a function of a 64-bit key and the element's index alone (a counter-based
/// generator, as Philox is for PyTorch's CUDA dropout): element i is the top 24 bits of
/// mix(mix(i ⊕ key₀) ⊕ key₁), where mix is Wellons' "lowbias32" 32-bit hash (two xor-shift-multiply rounds and a
/// final xor-shift). Any part of a stream can thus be drawn on any thread, in any order, a vector at a time, and
/// the result does not depend on how the work was split. The key comes from a <see cref="Generator"/>, so the
/// same seed still gives the same stream.
/// </summary>
internal static class CounterUniform
{
    private const uint First = 0x7feb352d;
    private const uint Second = 0x846ca68b;
    private const float Unit = 1f / (1 << 24);

    /// <summary>destination[j] = element <paramref name="offset"/> + j of the stream of <paramref name="key"/>.</summary>
    /// <param name="key">The stream's key.</param>
    /// <param name="offset">The index of the first element to draw.</param>
    /// <param name="destination">Receives the draws.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fill(ulong key, int offset, Span<float> destination)
    {
        uint k0 = (uint)key, k1 = (uint)(key >> 32);
        ref var d = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)destination.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var at = Vector512.Create((uint)offset) + Vector512<uint>.Indices;
            for (; i + (nuint)Vector512<uint>.Count <= n; i += (nuint)Vector512<uint>.Count, at += Vector512.Create((uint)Vector512<uint>.Count))
            {
                var h = Mix(Mix(at ^ Vector512.Create(k0)) ^ Vector512.Create(k1));
                (Vector512.ConvertToSingle((h >>> 8).AsInt32()) * Unit).StoreUnsafe(ref d, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var at = Vector256.Create((uint)offset + (uint)i) + Vector256<uint>.Indices;
            for (; i + (nuint)Vector256<uint>.Count <= n; i += (nuint)Vector256<uint>.Count, at += Vector256.Create((uint)Vector256<uint>.Count))
            {
                var h = Mix(Mix(at ^ Vector256.Create(k0)) ^ Vector256.Create(k1));
                (Vector256.ConvertToSingle((h >>> 8).AsInt32()) * Unit).StoreUnsafe(ref d, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            var at = Vector128.Create((uint)offset + (uint)i) + Vector128<uint>.Indices;
            for (; i + (nuint)Vector128<uint>.Count <= n; i += (nuint)Vector128<uint>.Count, at += Vector128.Create((uint)Vector128<uint>.Count))
            {
                var h = Mix(Mix(at ^ Vector128.Create(k0)) ^ Vector128.Create(k1));
                (Vector128.ConvertToSingle((h >>> 8).AsInt32()) * Unit).StoreUnsafe(ref d, i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref d, i) = (Mix(Mix(((uint)offset + (uint)i) ^ k0) ^ k1) >> 8) * Unit;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint x)
    {
        x = (x ^ (x >> 16)) * First;
        x = (x ^ (x >> 15)) * Second;
        return x ^ (x >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Mix(Vector128<uint> x)
    {
        x = (x ^ (x >>> 16)) * Vector128.Create(First);
        x = (x ^ (x >>> 15)) * Vector128.Create(Second);
        return x ^ (x >>> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Mix(Vector256<uint> x)
    {
        x = (x ^ (x >>> 16)) * Vector256.Create(First);
        x = (x ^ (x >>> 15)) * Vector256.Create(Second);
        return x ^ (x >>> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Mix(Vector512<uint> x)
    {
        x = (x ^ (x >>> 16)) * Vector512.Create(First);
        x = (x ^ (x >>> 15)) * Vector512.Create(Second);
        return x ^ (x >>> 16);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>The AVX2 micro-kernel: the 6×32 tile as two 6×16 halves of twelve Vector256 accumulators each.</summary>
internal static unsafe class MicroKernel256
{
    private const int NR = Gemm.NR;

    /// <summary>C[6×32] (+)= A[6×kc]·Bpanel, as <see cref="MicroKernel512.Run"/> computes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TWalk>(int kc, TWalk a, nint rs, float* b, float* c, int ldc, bool load)
        where TWalk : struct, IColumnWalk
    {
        Half(kc, a, rs, b, c, ldc, load);
        Half(kc, a, rs, b + 16, c + 16, ldc, load);
    }

    /// <summary>
    /// The AVX2 micro-kernel: C[6×16] (+)= A[6×kc]·B[kc×16], with B's rows NR apart (one half of a packed
    /// panel). Twelve Vector256 accumulators fit the sixteen AVX2 registers; the full 6×32 tile is two calls.
    /// Like <see cref="MicroKernel512.Run"/>, it prefetches its tile of C and adds C at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Half<TWalk>(int kc, TWalk a, nint rs, float* b, float* c, int ldc, bool load)
        where TWalk : struct, IColumnWalk
    {
        nint r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs;
        PrefetchRows(c, ldc);
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;

        for (var p = 0; p < kc; p++)
        {
            var col = a.Next();
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(*col);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(col[rs]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(col[r2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(col[r3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(col[r4]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(col[r5]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            b += NR;
        }

        StoreRow(c, c00, c01, load);
        StoreRow(c + ldc, c10, c11, load);
        StoreRow(c + (2 * ldc), c20, c21, load);
        StoreRow(c + (3 * ldc), c30, c31, load);
        StoreRow(c + (4 * ldc), c40, c41, load);
        StoreRow(c + (5 * ldc), c50, c51, load);
    }

    /// <summary>Prefetches the six rows of a 16-wide half tile of C, so that their misses overlap the loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRows(float* c, int ldc)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (var r = 0; r < Gemm.MR; r++)
        {
            Sse.Prefetch0(c + (r * ldc));
        }
    }

    /// <summary>Writes one row of the half tile, <paramref name="lo"/> and <paramref name="hi"/>, adding C's row to it first with <paramref name="load"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> lo, Vector256<float> hi, bool load)
    {
        if (load)
        {
            lo += Vector256.Load(c);
            hi += Vector256.Load(c + 8);
        }

        lo.Store(c);
        hi.Store(c + 8);
    }
}

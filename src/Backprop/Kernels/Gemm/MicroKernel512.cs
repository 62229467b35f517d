using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>The AVX-512 micro-kernel: the whole 6×32 tile in twelve Vector512 accumulators.</summary>
internal static unsafe class MicroKernel512
{
    private const int NR = Gemm.NR;

    /// <summary>How many steps of K ahead B's panel is prefetched (2 KiB).</summary>
    private const int PrefetchSteps = 16;

    /// <summary>
    /// C[6×32] (+)= A[6×kc]·Bpanel over kc steps, with C rows <paramref name="ldc"/> apart. A's column p is at
    /// <paramref name="a"/>'s step p, its rows <paramref name="rs"/> apart: a packed panel (<see cref="StridedColumns"/>,
    /// rs 1, stride 6), the matrix itself in either layout, or a convolution's image (<see cref="IndirectColumns"/>).
    /// The tile of C is prefetched and the products summed from zero, C added only at the end, so that C's
    /// cache misses overlap the loop instead of stalling its first FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TWalk>(int kc, TWalk a, nint rs, float* b, float* c, int ldc, bool load)
        where TWalk : struct, IColumnWalk
    {
        rs = RowStride<TWalk>(rs);
        nint r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs;
        PrefetchRows(c, ldc, Gemm.MR);

        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;

        for (var p = 0; p < kc; p++)
        {
            var col = a.Next();
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            if (typeof(TWalk) == typeof(PackedColumns))
            {
                PrefetchB(b);
            }
            var av = Vector512.Create(*col);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(col[rs]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(col[r2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(col[r3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(col[r4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(col[r5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            b += NR;
        }

        StoreRow(c, c00, c01, load);
        StoreRow(c + ldc, c10, c11, load);
        StoreRow(c + (2 * ldc), c20, c21, load);
        StoreRow(c + (3 * ldc), c30, c31, load);
        StoreRow(c + (4 * ldc), c40, c41, load);
        StoreRow(c + (5 * ldc), c50, c51, load);
    }

    /// <summary>
    /// C[12×32] (+)= A[12×kc]·Bpanel: two row panels of A against one panel of B, in 24 accumulators. Each step of K
    /// loads B's two vectors once for twelve rows instead of six, which halves the bytes per FMA that stream from L2
    /// (B's panel, KC deep, does not stay in L1). Rows 0-5 come from <paramref name="a"/>'s columns, rows 6-11 from
    /// <paramref name="second"/> floats after them, both with row stride <paramref name="rs"/>; C's rows <paramref name="ldc"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunTall<TWalk>(int kc, TWalk a, nint second, nint rs, float* b, float* c, int ldc, bool load)
        where TWalk : struct, IColumnWalk
    {
        rs = RowStride<TWalk>(rs);
        nint r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs;
        PrefetchRows(c, ldc, 2 * Gemm.MR);

        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, d00, d01, d10, d11, d20, d21, d30, d31, d40, d41, d50, d51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = d00 = d01 = d10 = d11 = d20 = d21 = d30 = d31 = d40 = d41 = d50 = d51 = Vector512<float>.Zero;

        for (var p = 0; p < kc; p++)
        {
            var col = a.Next();
            var col2 = col + second;
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            if (typeof(TWalk) == typeof(PackedColumns))
            {
                PrefetchB(b);
            }
            var av = Vector512.Create(*col);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(col[rs]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(col[r2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(col[r3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(col[r4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(col[r5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(*col2);
            d00 = Vector512.FusedMultiplyAdd(av, b0, d00);
            d01 = Vector512.FusedMultiplyAdd(av, b1, d01);
            av = Vector512.Create(col2[rs]);
            d10 = Vector512.FusedMultiplyAdd(av, b0, d10);
            d11 = Vector512.FusedMultiplyAdd(av, b1, d11);
            av = Vector512.Create(col2[r2]);
            d20 = Vector512.FusedMultiplyAdd(av, b0, d20);
            d21 = Vector512.FusedMultiplyAdd(av, b1, d21);
            av = Vector512.Create(col2[r3]);
            d30 = Vector512.FusedMultiplyAdd(av, b0, d30);
            d31 = Vector512.FusedMultiplyAdd(av, b1, d31);
            av = Vector512.Create(col2[r4]);
            d40 = Vector512.FusedMultiplyAdd(av, b0, d40);
            d41 = Vector512.FusedMultiplyAdd(av, b1, d41);
            av = Vector512.Create(col2[r5]);
            d50 = Vector512.FusedMultiplyAdd(av, b0, d50);
            d51 = Vector512.FusedMultiplyAdd(av, b1, d51);
            b += NR;
        }

        StoreRow(c, c00, c01, load);
        StoreRow(c + ldc, c10, c11, load);
        StoreRow(c + (2 * ldc), c20, c21, load);
        StoreRow(c + (3 * ldc), c30, c31, load);
        StoreRow(c + (4 * ldc), c40, c41, load);
        StoreRow(c + (5 * ldc), c50, c51, load);
        StoreRow(c + (6 * ldc), d00, d01, load);
        StoreRow(c + (7 * ldc), d10, d11, load);
        StoreRow(c + (8 * ldc), d20, d21, load);
        StoreRow(c + (9 * ldc), d30, d31, load);
        StoreRow(c + (10 * ldc), d40, d41, load);
        StoreRow(c + (11 * ldc), d50, d51, load);
    }

    /// <summary>
    /// The row stride of A for the walk: a JIT-time 1 for a packed panel (<see cref="PackedColumns"/>), so that the five
    /// multiples of it need no registers (with them, the 12×32 tile spilled a register every step of K), else <paramref name="rs"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint RowStride<TWalk>(nint rs)
        where TWalk : struct, IColumnWalk => typeof(TWalk) == typeof(PackedColumns) ? 1 : rs;

    /// <summary>
    /// Prefetches B's panel <see cref="PrefetchSteps"/> steps of K ahead (its two lines for that step), when A is a
    /// packed panel. The panel, KC deep, streams from L2: on an Intel Xeon (model 207), in alternated pairs in one
    /// process, the 12×32 tile on packed panels (with <see cref="PackedColumns"/>) gained 7-9% on one thread and
    /// 7-8% on two (n = 2048 and 4096, 1024×2048×2048: 15-20 of 21 pairs) at 16 or 32 steps, 3-6% at 8. Not
    /// measurable for the convolutions' walks in W8's noise; the AVX2 kernel, whose loads are half a line, gained nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchB(float* b)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(b + (PrefetchSteps * NR));
            Sse.Prefetch0(b + (PrefetchSteps * NR) + 16);
        }
    }

    /// <summary>Prefetches <paramref name="rows"/> rows of a 32-wide tile of C, so that their misses overlap the loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRows(float* c, int ldc, int rows)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (var r = 0; r < rows; r++)
        {
            Sse.Prefetch0(c + (r * ldc));
            Sse.Prefetch0(c + (r * ldc) + 16);
        }
    }

    /// <summary>Writes one row of the tile, <paramref name="lo"/> and <paramref name="hi"/>, adding C's row to it first with <paramref name="load"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> lo, Vector512<float> hi, bool load)
    {
        if (load)
        {
            lo += Vector512.Load(c);
            hi += Vector512.Load(c + 16);
        }

        lo.Store(c);
        hi.Store(c + 16);
    }
}

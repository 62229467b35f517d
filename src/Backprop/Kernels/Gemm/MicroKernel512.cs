using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>The AVX-512 micro-kernel: the whole 6×32 tile in twelve Vector512 accumulators.</summary>
internal static unsafe class MicroKernel512
{
    private const int NR = Gemm.NR;

    /// <summary>
    /// C[6×32] (+)= A[6×kc]·Bpanel over kc steps, with C rows <paramref name="ldc"/> apart. Row r of A at step
    /// p is a[r·rs + p·cs], so A can be a packed panel (rs 1, cs 6) or the matrix itself, either layout.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, nint rs, nint cs, float* b, float* c, int ldc, bool load)
    {
        float* a0 = a, a1 = a + rs, a2 = a + (2 * rs), a3 = a + (3 * rs), a4 = a + (4 * rs), a5 = a + (5 * rs);

        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load)
        {
            c00 = Vector512.Load(c);
            c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc);
            c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + (2 * ldc));
            c21 = Vector512.Load(c + (2 * ldc) + 16);
            c30 = Vector512.Load(c + (3 * ldc));
            c31 = Vector512.Load(c + (3 * ldc) + 16);
            c40 = Vector512.Load(c + (4 * ldc));
            c41 = Vector512.Load(c + (4 * ldc) + 16);
            c50 = Vector512.Load(c + (5 * ldc));
            c51 = Vector512.Load(c + (5 * ldc) + 16);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
        }

        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(*a4);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(*a5);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            a0 += cs;
            a1 += cs;
            a2 += cs;
            a3 += cs;
            a4 += cs;
            a5 += cs;
            b += NR;
        }

        c00.Store(c);
        c01.Store(c + 16);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 16);
        c20.Store(c + (2 * ldc));
        c21.Store(c + (2 * ldc) + 16);
        c30.Store(c + (3 * ldc));
        c31.Store(c + (3 * ldc) + 16);
        c40.Store(c + (4 * ldc));
        c41.Store(c + (4 * ldc) + 16);
        c50.Store(c + (5 * ldc));
        c51.Store(c + (5 * ldc) + 16);
    }
}

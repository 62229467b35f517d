using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// The Vector128 micro-kernel (Arm64's NEON, or x64 without AVX): the 6×32 tile as four 6×8 quarters of
/// twelve Vector128 accumulators each, which fit the sixteen registers of SSE as well as NEON's 32.
/// </summary>
internal static unsafe class MicroKernel128
{
    private const int NR = Gemm.NR;

    /// <summary>C[6×32] (+)= A[6×kc]·Bpanel, as <see cref="MicroKernel512.Run"/> computes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TWalk>(int kc, TWalk a, nint rs, float* b, float* c, int ldc, bool load)
        where TWalk : struct, IColumnWalk
    {
        Quarter(kc, a, rs, b, c, ldc, load);
        Quarter(kc, a, rs, b + 8, c + 8, ldc, load);
        Quarter(kc, a, rs, b + 16, c + 16, ldc, load);
        Quarter(kc, a, rs, b + 24, c + 24, ldc, load);
    }

    /// <summary>
    /// C[6×8] (+)= A[6×kc]·B[kc×8], with B's rows NR apart (a quarter of a packed panel). Multiply-add is
    /// fused where the CPU has FMA (all of Arm64) and a multiply and an add where it has not.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quarter<TWalk>(int kc, TWalk a, nint rs, float* b, float* c, int ldc, bool load)
        where TWalk : struct, IColumnWalk
    {
        nint r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs;
        Vector128<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load)
        {
            c00 = Vector128.Load(c);
            c01 = Vector128.Load(c + 4);
            c10 = Vector128.Load(c + ldc);
            c11 = Vector128.Load(c + ldc + 4);
            c20 = Vector128.Load(c + (2 * ldc));
            c21 = Vector128.Load(c + (2 * ldc) + 4);
            c30 = Vector128.Load(c + (3 * ldc));
            c31 = Vector128.Load(c + (3 * ldc) + 4);
            c40 = Vector128.Load(c + (4 * ldc));
            c41 = Vector128.Load(c + (4 * ldc) + 4);
            c50 = Vector128.Load(c + (5 * ldc));
            c51 = Vector128.Load(c + (5 * ldc) + 4);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector128<float>.Zero;
        }

        for (var p = 0; p < kc; p++)
        {
            var col = a.Next();
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var av = Vector128.Create(*col);
            c00 = Vector128.MultiplyAddEstimate(av, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(av, b1, c01);
            av = Vector128.Create(col[rs]);
            c10 = Vector128.MultiplyAddEstimate(av, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(av, b1, c11);
            av = Vector128.Create(col[r2]);
            c20 = Vector128.MultiplyAddEstimate(av, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(av, b1, c21);
            av = Vector128.Create(col[r3]);
            c30 = Vector128.MultiplyAddEstimate(av, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(av, b1, c31);
            av = Vector128.Create(col[r4]);
            c40 = Vector128.MultiplyAddEstimate(av, b0, c40);
            c41 = Vector128.MultiplyAddEstimate(av, b1, c41);
            av = Vector128.Create(col[r5]);
            c50 = Vector128.MultiplyAddEstimate(av, b0, c50);
            c51 = Vector128.MultiplyAddEstimate(av, b1, c51);
            b += NR;
        }

        c00.Store(c);
        c01.Store(c + 4);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 4);
        c20.Store(c + (2 * ldc));
        c21.Store(c + (2 * ldc) + 4);
        c30.Store(c + (3 * ldc));
        c31.Store(c + (3 * ldc) + 4);
        c40.Store(c + (4 * ldc));
        c41.Store(c + (4 * ldc) + 4);
        c50.Store(c + (5 * ldc));
        c51.Store(c + (5 * ldc) + 4);
    }
}

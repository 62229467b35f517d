using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>Picks the micro-kernel of the widest vector width the CPU accelerates (the checks are JIT-time constants).</summary>
internal static unsafe class MicroKernel
{
    /// <summary>The kernel path this process runs: "avx512", "avx2", "vector128" or "portable".</summary>
    public static string Path =>
        Vector512.IsHardwareAccelerated ? "avx512" : Vector256.IsHardwareAccelerated ? "avx2" : Vector128.IsHardwareAccelerated ? "vector128" : "portable";

    /// <summary>
    /// C[6×32] (+)= A[6×kc]·Bpanel with A[r, p] = a[offsets[p] + r·rs] where <paramref name="offsets"/> is given
    /// (<see cref="IndirectColumns"/>), else a[r·rs + p·cs] (see <see cref="MicroKernel512.Run"/>; a packed panel's
    /// layout, rs 1 and cs MR, walked as <see cref="PackedColumns"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(int kc, float* a, nint rs, nint cs, int* offsets, float* b, float* c, int ldc, bool load)
    {
        if (offsets != null)
        {
            Run(kc, new IndirectColumns(a, offsets), rs, b, c, ldc, load);
        }
        else if (rs == 1 && cs == Gemm.MR)
        {
            Run(kc, new PackedColumns(a), 1, b, c, ldc, load);
        }
        else
        {
            Run(kc, new StridedColumns(a, cs), rs, b, c, ldc, load);
        }
    }

    /// <summary>
    /// C[12×32] (+)= A[12×kc]·Bpanel on the AVX-512 path (<see cref="MicroKernel512.RunTall"/>): rows 0-5 of A walked
    /// as <see cref="Run(int, float*, nint, nint, int*, float*, float*, int, bool)"/> walks them, rows 6-11 <paramref name="second"/> floats after.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RunTall(int kc, float* a, nint second, nint rs, nint cs, int* offsets, float* b, float* c, int ldc, bool load)
    {
        if (offsets != null)
        {
            MicroKernel512.RunTall(kc, new IndirectColumns(a, offsets), second, rs, b, c, ldc, load);
        }
        else if (rs == 1 && cs == Gemm.MR)
        {
            MicroKernel512.RunTall(kc, new PackedColumns(a), second, 1, b, c, ldc, load);
        }
        else
        {
            MicroKernel512.RunTall(kc, new StridedColumns(a, cs), second, rs, b, c, ldc, load);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Run<TWalk>(int kc, TWalk a, nint rs, float* b, float* c, int ldc, bool load)
        where TWalk : struct, IColumnWalk
    {
        if (Vector512.IsHardwareAccelerated)
        {
            MicroKernel512.Run(kc, a, rs, b, c, ldc, load);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            MicroKernel256.Run(kc, a, rs, b, c, ldc, load);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            MicroKernel128.Run(kc, a, rs, b, c, ldc, load);
        }
        else
        {
            MicroKernelScalar.Run(kc, a, rs, b, c, ldc, load);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels.Convolution;

/// <summary>
/// Six taps' runs of pixels written as a panel of the GEMM's packed A (<see cref="Gemm.MR"/> = 6 rows): for each
/// position, the six taps' pixels side by side. A block of positions is a 6 × width transpose: six vector loads
/// (one along each tap's input row), shuffles, and stores of whole positions, instead of a scalar load and a store
/// six floats apart per pixel. Eight positions at a time with AVX, four with SSE or AdvSimd.
/// </summary>
internal static unsafe class TapPanel
{
    private const int MR = Gemm.MR;

    /// <summary>The positions <see cref="Pack"/> takes at a time: 8 with AVX, 4 with SSE or AdvSimd, 0 (no vector path) otherwise.</summary>
    public static readonly int Width = Avx.IsSupported ? 8 : Sse.IsSupported || AdvSimd.Arm64.IsSupported ? 4 : 0;

    /// <summary>
    /// d[p·6 + r] = rows[r][x + p] for p below <paramref name="count"/> (at least <see cref="Width"/>), 0 where
    /// rows[r] is null (a tap whose row lies outside the image, or past the last tap). A count that is not a
    /// multiple of the width ends with a block that overlaps the one before it and writes its positions again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(float** rows, int x, int count, float* d)
    {
        var blocks = count / Width * Width;
        var last = count - Width;
        if (Avx.IsSupported)
        {
            Pack8(rows, x, blocks, d);
            if (blocks != count)
            {
                Pack8(rows, x + last, Width, d + (last * MR));
            }
        }
        else
        {
            Pack4(rows, x, blocks, d);
            if (blocks != count)
            {
                Pack4(rows, x + last, Width, d + (last * MR));
            }
        }
    }

    private static void Pack8(float** rows, int x, int count, float* d)
    {
        for (var end = x + count; x < end; x += 8, d += 8 * MR)
        {
            Vector256<float> p0 = Row256(rows[0], x), p1 = Row256(rows[1], x), p2 = Row256(rows[2], x), p3 = Row256(rows[3], x);
            Vector256<float> p4 = Row256(rows[4], x), p5 = Row256(rows[5], x), p6 = Vector256<float>.Zero, p7 = Vector256<float>.Zero;
            Permute.Transpose8x8(ref p0, ref p1, ref p2, ref p3, ref p4, ref p5, ref p6, ref p7);

            // p_j is position j's six taps and two zeros. Each 8-float store's last two land on the next position, and
            // its own store overwrites them; the eighth position is stored as 4 + 2, so nothing is written past the block.
            Avx.Store(d, p0);
            Avx.Store(d + 6, p1);
            Avx.Store(d + 12, p2);
            Avx.Store(d + 18, p3);
            Avx.Store(d + 24, p4);
            Avx.Store(d + 30, p5);
            Avx.Store(d + 36, p6);
            Vector128.Store(p7.GetLower(), d + 42);
            Unsafe.WriteUnaligned(d + 46, p7.GetUpper().AsUInt64().ToScalar());
        }
    }

    private static void Pack4(float** rows, int x, int count, float* d)
    {
        for (var end = x + count; x < end; x += 4, d += 4 * MR)
        {
            var (t0, t1) = Interleave(Row128(rows[0], x), Row128(rows[1], x));
            var (t2, t3) = Interleave(Row128(rows[2], x), Row128(rows[3], x));
            var (t4, t5) = Interleave(Row128(rows[4], x), Row128(rows[5], x));
            var (p0, p1) = Halves(t0, t2);
            var (p2, p3) = Halves(t1, t3);
            Vector128.Store(p0, d);
            Unsafe.WriteUnaligned(d + 4, t4.AsUInt64().GetElement(0));
            Vector128.Store(p1, d + 6);
            Unsafe.WriteUnaligned(d + 10, t4.AsUInt64().GetElement(1));
            Vector128.Store(p2, d + 12);
            Unsafe.WriteUnaligned(d + 16, t5.AsUInt64().GetElement(0));
            Vector128.Store(p3, d + 18);
            Unsafe.WriteUnaligned(d + 22, t5.AsUInt64().GetElement(1));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row256(float* row, int x) => row is null ? Vector256<float>.Zero : Vector256.Load(row + x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Row128(float* row, int x) => row is null ? Vector128<float>.Zero : Vector128.Load(row + x);

    /// <summary>a and b interleaved: [a0 b0 a1 b1] and [a2 b2 a3 b3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<float> Low, Vector128<float> High) Interleave(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? (Sse.UnpackLow(a, b), Sse.UnpackHigh(a, b)) : (AdvSimd.Arm64.ZipLow(a, b), AdvSimd.Arm64.ZipHigh(a, b));

    /// <summary>The low 64-bit halves of a and b side by side, and the high ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<float> Low, Vector128<float> High) Halves(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported
            ? (Sse.MoveLowToHigh(a, b), Sse.MoveHighToLow(b, a))
            : (AdvSimd.Arm64.ZipLow(a.AsUInt64(), b.AsUInt64()).AsSingle(), AdvSimd.Arm64.ZipHigh(a.AsUInt64(), b.AsUInt64()).AsSingle());
}

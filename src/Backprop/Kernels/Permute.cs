using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>Reorders the dimensions of a row-major array.</summary>
internal static class Permute
{
    /// <summary>Permutes storage of any dtype: <see cref="Apply{T}"/> on arrays of one element type.</summary>
    public static void Apply(Array src, int[] srcShape, int[] perm, Array dst)
    {
        switch (src)
        {
            case float[] f: Apply<float>(f, srcShape, perm, (float[])dst); break;
            case double[] d: Apply<double>(d, srcShape, perm, (double[])dst); break;
            case long[] l: Apply<long>(l, srcShape, perm, (long[])dst); break;
            default: Apply<bool>((bool[])src, srcShape, perm, (bool[])dst); break;
        }
    }

    /// <summary>dst (shape srcShape permuted by <paramref name="perm"/>) = src with its dimensions reordered.</summary>
    public static void Apply<T>(ReadOnlySpan<T> src, int[] srcShape, int[] perm, Span<T> dst)
        where T : unmanaged
    {
        var rank = srcShape.Length;
        if (rank == 2 && perm[0] == 1)
        {
            Transpose2D(src, srcShape[0], srcShape[1], dst);
            return;
        }

        var srcStrides = Shapes.Strides(srcShape);
        var dstShape = new int[rank];
        var strides = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            dstShape[i] = srcShape[perm[i]];
            strides[i] = srcStrides[perm[i]];
        }

        var index = new int[rank];
        var offset = 0;
        for (var k = 0; k < dst.Length; k++)
        {
            dst[k] = src[offset];
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < dstShape[d])
                {
                    offset += strides[d];
                    break;
                }

                offset -= strides[d] * (dstShape[d] - 1);
                index[d] = 0;
            }
        }
    }

    /// <summary>dst[j, i] = src[i, j] for an rows×cols source, in cache-friendly blocks (8×8 AVX transposes for floats where AVX is there).</summary>
    public static void Transpose2D<T>(ReadOnlySpan<T> src, int rows, int cols, Span<T> dst)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float) && Avx.IsSupported)
        {
            TransposeFloats(MemoryMarshal.Cast<T, float>(src), rows, cols, MemoryMarshal.Cast<T, float>(dst));
            return;
        }

        const int Block = 32;
        for (var i0 = 0; i0 < rows; i0 += Block)
        {
            var i1 = Math.Min(rows, i0 + Block);
            for (var j0 = 0; j0 < cols; j0 += Block)
            {
                var j1 = Math.Min(cols, j0 + Block);
                for (var i = i0; i < i1; i++)
                {
                    for (var j = j0; j < j1; j++)
                    {
                        dst[(j * rows) + i] = src[(i * cols) + j];
                    }
                }
            }
        }
    }

    /// <summary><see cref="Transpose2D{T}"/> for floats: full 8×8 blocks with <see cref="Transpose8x8(float*, nint, float*, nint, bool)"/>, the ragged edges element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TransposeFloats(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        if (src.Length < (long)rows * cols || dst.Length < (long)rows * cols)
        {
            throw new ArgumentException($"Permute.Transpose2D: a {rows}×{cols} transpose needs {(long)rows * cols} elements on each side; got {src.Length} and {dst.Length}.");
        }

        int fullRows = rows / 8 * 8, fullCols = cols / 8 * 8;
        fixed (float* s = src, d = dst)
        {
            for (var i = 0; i < fullRows; i += 8)
            {
                for (var j = 0; j < fullCols; j += 8)
                {
                    Transpose8x8(s + ((long)i * cols) + j, cols, d + ((long)j * rows) + i, rows);
                }
            }

            for (var i = 0; i < rows; i++)
            {
                for (var j = i < fullRows ? fullCols : 0; j < cols; j++)
                {
                    d[((long)j * rows) + i] = s[((long)i * cols) + j];
                }
            }
        }
    }

    /// <summary>The even and the odd elements of the 16 floats at <paramref name="row"/>'s start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> Even, Vector256<float> Odd) Deinterleave256(ReadOnlySpan<float> row)
    {
        var lo = Vector256.Create(row);
        var hi = Vector256.Create(row[8..]);

        // Within each 128-bit lane, then the lanes' 64-bit halves put in order.
        var even = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        var odd = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
        return (even, odd);
    }

    /// <summary>The even and the odd elements of the 8 floats at <paramref name="row"/>'s start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector128<float> Even, Vector128<float> Odd) Deinterleave128(ReadOnlySpan<float> row)
    {
        var lo = Vector128.Create(row);
        var hi = Vector128.Create(row[4..]);
        return Sse.IsSupported
            ? (Sse.Shuffle(lo, hi, 0b10_00_10_00), Sse.Shuffle(lo, hi, 0b11_01_11_01))
            : (AdvSimd.Arm64.UnzipEven(lo, hi), AdvSimd.Arm64.UnzipOdd(lo, hi));
    }

    /// <summary>
    /// Writes the transpose of the 8×8 block at <paramref name="src"/> (rows srcStride apart) to <paramref name="dst"/>
    /// (rows dstStride apart); with <paramref name="sixRows"/>, of its first six rows, the last two read as zeros
    /// (the GEMM's six-row panels of A).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride, bool sixRows = false)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + (2 * srcStride));
        var r3 = Avx.LoadVector256(src + (3 * srcStride));
        var r4 = Avx.LoadVector256(src + (4 * srcStride));
        var r5 = Avx.LoadVector256(src + (5 * srcStride));
        var r6 = sixRows ? Vector256<float>.Zero : Avx.LoadVector256(src + (6 * srcStride));
        var r7 = sixRows ? Vector256<float>.Zero : Avx.LoadVector256(src + (7 * srcStride));
        Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Avx.Store(dst, r0);
        Avx.Store(dst + dstStride, r1);
        Avx.Store(dst + (2 * dstStride), r2);
        Avx.Store(dst + (3 * dstStride), r3);
        Avx.Store(dst + (4 * dstStride), r4);
        Avx.Store(dst + (5 * dstStride), r5);
        Avx.Store(dst + (6 * dstStride), r6);
        Avx.Store(dst + (7 * dstStride), r7);
    }

    /// <summary>Transposes the 8×8 block whose rows are r0..r7 in registers: afterwards r_j holds column j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(
        ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(u0, u4, 0x20);
        r1 = Avx.Permute2x128(u1, u5, 0x20);
        r2 = Avx.Permute2x128(u2, u6, 0x20);
        r3 = Avx.Permute2x128(u3, u7, 0x20);
        r4 = Avx.Permute2x128(u0, u4, 0x31);
        r5 = Avx.Permute2x128(u1, u5, 0x31);
        r6 = Avx.Permute2x128(u2, u6, 0x31);
        r7 = Avx.Permute2x128(u3, u7, 0x31);
    }
}

using System.Numerics.Tensors;

namespace Backprop.Kernels;

/// <summary>Element-type conversion between the dtypes' storage arrays, with PyTorch's rules.</summary>
internal static class Conversion
{
    /// <summary>
    /// Writes <paramref name="source"/> converted into <paramref name="destination"/> (same length): floats to
    /// integers truncate toward zero (NaN becomes 0, out-of-range values saturate), anything to bool is
    /// value ≠ 0 (NaN is true), bool to a number is 1 or 0.
    /// </summary>
    public static void Convert(Array source, Array destination)
    {
        switch (source, destination)
        {
            case (float[] s, double[] d): TensorPrimitives.ConvertTruncating<float, double>(s, d); break;
            case (double[] s, float[] d): TensorPrimitives.ConvertTruncating<double, float>(s, d); break;
            case (float[] s, long[] d): TensorPrimitives.ConvertSaturating<float, long>(s, d); break;
            case (double[] s, long[] d): TensorPrimitives.ConvertSaturating<double, long>(s, d); break;
            case (long[] s, float[] d): TensorPrimitives.ConvertTruncating<long, float>(s, d); break;
            case (long[] s, double[] d): TensorPrimitives.ConvertTruncating<long, double>(s, d); break;
            case (float[] s, bool[] d): ToBool(s, d); break;
            case (double[] s, bool[] d): ToBool(s, d); break;
            case (long[] s, bool[] d): ToBool(s, d); break;
            case (bool[] s, float[] d): FromBool(s, d, 1f); break;
            case (bool[] s, double[] d): FromBool(s, d, 1.0); break;
            case (bool[] s, long[] d): FromBool(s, d, 1L); break;
            default: Array.Copy(source, destination, source.Length); break;
        }
    }

    private static void ToBool<T>(T[] source, bool[] destination)
        where T : System.Numerics.INumberBase<T>
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = !T.IsZero(source[i]);
        }
    }

    private static void FromBool<T>(bool[] source, T[] destination, T one)
        where T : struct
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = source[i] ? one : default;
        }
    }
}

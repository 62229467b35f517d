namespace Backprop;

/// <summary>Facts about each <see cref="DType"/>: its size, its name, whether autograd runs on it.</summary>
public static class DTypes
{
    /// <summary>The bytes one element takes.</summary>
    /// <param name="dtype">The type.</param>
    /// <returns>4 for Float32, 8 for Float64 and Int64, 1 for Bool.</returns>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Float64 or DType.Int64 => 8,
        DType.Bool => 1,
        _ => throw Unknown(dtype),
    };

    /// <summary>True for the floating-point types, the ones gradients flow through.</summary>
    /// <param name="dtype">The type.</param>
    /// <returns>Whether it is Float32 or Float64.</returns>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>PyTorch's name for the type: float32, float64, int64, bool.</summary>
    /// <param name="dtype">The type.</param>
    /// <returns>The name.</returns>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int64 => "int64",
        DType.Bool => "bool",
        _ => throw Unknown(dtype),
    };

    /// <summary>The dtype whose storage is an array of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">float, double, long or bool.</typeparam>
    /// <returns>The dtype.</returns>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static DType Of<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return DType.Float32;
        }

        if (typeof(T) == typeof(double))
        {
            return DType.Float64;
        }

        if (typeof(T) == typeof(long))
        {
            return DType.Int64;
        }

        if (typeof(T) == typeof(bool))
        {
            return DType.Bool;
        }

        throw new ArgumentException($"DType: {typeof(T).Name} is not the element type of any dtype (float, double, long and bool are).", nameof(T));
    }

    private static ArgumentOutOfRangeException Unknown(DType dtype) => new(nameof(dtype), $"DType: {(int)dtype} is not a dtype.");
}

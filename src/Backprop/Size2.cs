namespace Backprop;

/// <summary>
/// A height and a width, for kernel sizes, strides, padding and dilation, as PyTorch's int-or-pair
/// arguments: <c>stride: 2</c> means (2, 2) and <c>stride: (2, 1)</c> means 2 rows and 1 column.
/// </summary>
/// <param name="H">Along the height (rows).</param>
/// <param name="W">Along the width (columns).</param>
public readonly record struct Size2(int H, int W)
{
    /// <summary>The same value along both dimensions.</summary>
    /// <param name="size">The value.</param>
    public static implicit operator Size2(int size) => new(size, size);

    /// <summary>A (height, width) pair.</summary>
    /// <param name="size">The pair.</param>
    public static implicit operator Size2((int H, int W) size) => new(size.H, size.W);

    /// <summary>The same value along both dimensions.</summary>
    /// <param name="size">The value.</param>
    /// <returns>(size, size).</returns>
    public static Size2 FromInt32(int size) => new(size, size);

    /// <summary>A (height, width) pair.</summary>
    /// <param name="size">The pair.</param>
    /// <returns>The pair as a <see cref="Size2"/>.</returns>
    public static Size2 FromValueTuple((int H, int W) size) => new(size.H, size.W);

    /// <summary>"(3, 1)", as PyTorch prints a module's pair arguments.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"({H}, {W})";
}

using System.Globalization;

namespace Backprop;

/// <summary>
/// A convolution's padding, as PyTorch's padding argument: a number or a (height, width) pair of zeros
/// added on both sides, <see cref="Valid"/> (none) or <see cref="Same"/> (the output keeps the input's
/// size; stride 1 only; an odd total puts the extra row or column at the end, as PyTorch does).
/// </summary>
public readonly record struct ConvPadding
{
    private ConvPadding(Size2 size, bool same)
    {
        Size = size;
        IsSame = same;
    }

    /// <summary>No padding.</summary>
    public static ConvPadding Valid => new(0, false);

    /// <summary>Padding that keeps the input's size.</summary>
    public static ConvPadding Same => new(0, true);

    /// <summary>The explicit padding on each side (zero for <see cref="Same"/>, which is worked out from the kernel).</summary>
    public Size2 Size { get; }

    /// <summary>Whether this is <see cref="Same"/>.</summary>
    public bool IsSame { get; }

    /// <summary>The same padding on all four sides.</summary>
    /// <param name="padding">The rows and columns of zeros on each side.</param>
    public static implicit operator ConvPadding(int padding) => FromSize2(padding);

    /// <summary>(rows, columns) of zeros on each side.</summary>
    /// <param name="padding">The pair.</param>
    public static implicit operator ConvPadding((int H, int W) padding) => FromSize2(padding);

    /// <summary>"same" or "valid", as PyTorch spells them.</summary>
    /// <param name="padding">The name.</param>
    public static implicit operator ConvPadding(string padding) => Parse(padding);

    /// <summary>Explicit padding.</summary>
    /// <param name="padding">The rows and columns of zeros on each side.</param>
    /// <returns>The padding.</returns>
    public static ConvPadding FromSize2(Size2 padding)
    {
        if (padding.H < 0 || padding.W < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "Convolution: padding must not be negative.");
        }

        return new(padding, false);
    }

    /// <summary>Reads "same", "valid", a number, or "(1, 2)".</summary>
    /// <param name="text">The text.</param>
    /// <returns>The padding.</returns>
    public static ConvPadding Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim().Trim('\'', '"');
        if (trimmed.Equals("same", StringComparison.OrdinalIgnoreCase))
        {
            return Same;
        }

        if (trimmed.Equals("valid", StringComparison.OrdinalIgnoreCase))
        {
            return Valid;
        }

        var parts = trimmed.Trim('(', ')').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var w))
        {
            return FromSize2((h, w));
        }

        throw new ArgumentException($"Convolution: padding '{text}' is not 'same', 'valid', a number or a pair like (1, 2).", nameof(text));
    }

    /// <summary>The (before, after) rows of zeros for a kernel of <paramref name="kernel"/> rows spaced by <paramref name="dilation"/>: the explicit amount twice, or "same"'s split with the odd one after, as PyTorch splits it.</summary>
    internal (int Before, int After) Rows(int kernel, int dilation) => Split(Size.H, kernel, dilation);

    /// <summary>The (before, after) columns of zeros, as <see cref="Rows"/>.</summary>
    internal (int Before, int After) Columns(int kernel, int dilation) => Split(Size.W, kernel, dilation);

    /// <summary>PyTorch's spelling: 'same', 'valid' or (1, 1).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsSame ? "'same'" : Size.ToString();

    private (int Before, int After) Split(int amount, int kernel, int dilation)
    {
        if (!IsSame)
        {
            return (amount, amount);
        }

        var total = dilation * (kernel - 1);
        return (total / 2, total - (total / 2));
    }
}

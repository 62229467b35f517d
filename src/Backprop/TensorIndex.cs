namespace Backprop;

/// <summary>
/// One position of a tensor indexer: an index (<c>2</c>, <c>^1</c>), which removes its dimension, or a range
/// (<c>1..3</c>, <c>..</c>, <c>^2..</c>), which keeps it; t[.., 1..3] is PyTorch's t[:, 1:3].
/// </summary>
public readonly struct TensorIndex : IEquatable<TensorIndex>
{
    private TensorIndex(Index? index, Range range)
    {
        Position = index;
        Range = range;
    }

    /// <summary>The index, when this position picks one element of its dimension; null for a range.</summary>
    public Index? Position { get; }

    /// <summary>The range, when this position keeps a slice of its dimension.</summary>
    public Range Range { get; }

    /// <summary>An index from the start.</summary>
    /// <param name="index">The index.</param>
    public static implicit operator TensorIndex(int index) => new(index < 0 ? Index.FromEnd(-index) : Index.FromStart(index), default);

    /// <summary>An index, from the start or (^n) from the end.</summary>
    /// <param name="index">The index.</param>
    public static implicit operator TensorIndex(Index index) => new(index, default);

    /// <summary>A range of a dimension.</summary>
    /// <param name="range">The range.</param>
    public static implicit operator TensorIndex(Range range) => new(null, range);

    /// <summary>An index from the start.</summary>
    /// <param name="index">The index.</param>
    /// <returns>The position.</returns>
    public static TensorIndex FromInt32(int index) => index;

    /// <summary>An index, from the start or from the end.</summary>
    /// <param name="index">The index.</param>
    /// <returns>The position.</returns>
    public static TensorIndex FromIndex(Index index) => index;

    /// <summary>A range of a dimension.</summary>
    /// <param name="range">The range.</param>
    /// <returns>The position.</returns>
    public static TensorIndex FromRange(Range range) => range;

    /// <summary>Whether two positions are the same.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(TensorIndex left, TensorIndex right) => left.Equals(right);

    /// <summary>Whether two positions differ.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(TensorIndex left, TensorIndex right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(TensorIndex other) => Position.Equals(other.Position) && Range.Equals(other.Range);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorIndex other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Position, Range);

    /// <inheritdoc/>
    public override string ToString() => Position?.ToString() ?? Range.ToString();
}

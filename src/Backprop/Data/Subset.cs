namespace Backprop.Data;

/// <summary>A view of some samples of another dataset, by index.</summary>
public sealed class Subset : Dataset
{
    private readonly Dataset _source;
    private readonly int[] _map;

    /// <summary>Makes the view.</summary>
    /// <param name="source">The dataset to draw from.</param>
    /// <param name="indices">The indices of the samples in <paramref name="source"/>.</param>
    public Subset(Dataset source, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        _source = source;
        _map = indices;
    }

    /// <summary>The indices in the source dataset.</summary>
    public IReadOnlyList<int> Indices => _map;

    /// <inheritdoc/>
    public override int Count => _map.Length;

    /// <inheritdoc/>
    public override Batch GetBatch(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var mapped = new int[indices.Length];
        for (var i = 0; i < mapped.Length; i++)
        {
            mapped[i] = _map[indices[i]];
        }

        return _source.GetBatch(mapped);
    }
}

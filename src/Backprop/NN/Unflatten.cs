namespace Backprop.NN;

/// <summary>
/// Splits one dimension into several, as torch.nn.Unflatten: Unflatten(1, [1, 28, 28]) turns MNIST's flat
/// rows [N, 784] into images [N, 1, 28, 28] for a convolution.
/// </summary>
public sealed class Unflatten : Module<Tensor, Tensor>
{
    /// <summary>Makes the layer.</summary>
    /// <param name="dim">The dimension to split (negative counts from the end).</param>
    /// <param name="unflattenedSize">The sizes it is split into; their product is its size.</param>
    public Unflatten(int dim, int[] unflattenedSize)
    {
        ArgumentNullException.ThrowIfNull(unflattenedSize);
        if (unflattenedSize.Length == 0 || unflattenedSize.Any(d => d <= 0))
        {
            throw new ArgumentException($"Unflatten: the sizes [{string.Join(", ", unflattenedSize)}] must be positive.", nameof(unflattenedSize));
        }

        Dim = dim;
        UnflattenedSize = (int[])unflattenedSize.Clone();
    }

    /// <summary>The dimension split.</summary>
    public int Dim { get; }

    /// <summary>The sizes it is split into.</summary>
    public IReadOnlyList<int> UnflattenedSize { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var d = Dim < 0 ? Dim + input.Rank : Dim;
        var product = UnflattenedSize.Aggregate(1L, (p, s) => p * s);
        if (d < 0 || d >= input.Rank || input.Dims[d] != product)
        {
            throw new ArgumentException($"Unflatten: input {Kernels.Shapes.Format(input.Dims)} has no dimension {Dim} of size {product} to split into ({string.Join(", ", UnflattenedSize)}).", nameof(input));
        }

        return input.Reshape([.. input.Dims[..d], .. UnflattenedSize, .. input.Dims[(d + 1)..]]);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Unflatten(dim={Dim}, unflattened_size=({string.Join(", ", UnflattenedSize)}))";
}

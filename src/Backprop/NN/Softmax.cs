namespace Backprop.NN;

/// <summary>Softmax along a dimension (probabilities).</summary>
/// <param name="dim">The dimension (the last one by default).</param>
public sealed class Softmax(int dim = -1) : Module<Tensor, Tensor>
{
    /// <summary>The dimension.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Softmax(Dim);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Softmax(dim={Dim})";
}

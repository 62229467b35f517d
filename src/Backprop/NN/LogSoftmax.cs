namespace Backprop.NN;

/// <summary>Log-softmax along a dimension (log-probabilities), numerically stable.</summary>
/// <param name="dim">The dimension (the last one by default).</param>
public sealed class LogSoftmax(int dim = -1) : Module<Tensor, Tensor>
{
    /// <summary>The dimension.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.LogSoftmax(Dim);
    }

    /// <inheritdoc/>
    public override string ToString() => $"LogSoftmax(dim={Dim})";
}

namespace Backprop.NN;

/// <summary>The logistic sigmoid, 1 / (1 + e^−x).</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Sigmoid();
    }

    /// <inheritdoc/>
    public override string ToString() => "Sigmoid()";
}

namespace Backprop.NN;

/// <summary>max(x, 0), the rectified linear unit.</summary>
public sealed class ReLU : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Relu();
    }

    /// <inheritdoc/>
    public override string ToString() => "ReLU()";
}

namespace Backprop.NN.Losses;

/// <summary>The seed network's cost, ½·Σ(ŷ − y)², summed over every element; its gradient is ŷ − y.</summary>
public sealed class HalfSquaredError() : Loss(Reduction.Sum)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        RequireSameShape("HalfSquaredError", input, target);
        return ((input - target).Pow(2f) * 0.5f).Sum();
    }
}

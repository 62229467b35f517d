namespace Backprop.NN.Losses;

/// <summary>Huber loss: ½d² where |d| ≤ δ, δ·(|d| − ½δ) beyond, with d = x − y.</summary>
public sealed class HuberLoss : Loss
{
    /// <summary>Makes the loss.</summary>
    /// <param name="reduction">How per-element losses are combined.</param>
    /// <param name="delta">δ, where the loss turns from quadratic to linear; positive.</param>
    public HuberLoss(Reduction reduction = Reduction.Mean, double delta = 1.0)
        : base(reduction)
    {
        if (!(delta > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "HuberLoss: delta must be positive.");
        }

        Delta = delta;
    }

    /// <summary>δ.</summary>
    public double Delta { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        RequireSameShape("HuberLoss", input, target);
        var a = (input - target).Abs();
        var quadratic = a.Clamp(null, Delta);
        var linear = a - quadratic;
        return Reduce((quadratic.Pow(2f) * 0.5f) + (linear * Delta));
    }
}

using System.Numerics.Tensors;
using Backprop.Kernels.Elementwise;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay,
/// exactly as torch.optim.SGD: g ← g + wd·p; b ← μ·b + (1 − dampening)·g (b ← g on the first step);
/// g ← g + μ·b (Nesterov) or g ← b; p ← p − lr·g.
/// </summary>
public sealed class SGD : Optimizer
{
    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="momentum">μ, the momentum factor.</param>
    /// <param name="dampening">The dampening of momentum.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs momentum &gt; 0 and no dampening).</param>
    public SGD(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(parameters, learningRate)
    {
        if (momentum < 0f || weightDecay < 0f || (nesterov && (momentum <= 0f || dampening != 0f)))
        {
            throw new ArgumentException($"SGD: momentum {momentum}, dampening {dampening}, weight decay {weightDecay}, nesterov {nesterov}: values must be >= 0, and Nesterov needs momentum > 0 and zero dampening.", nameof(momentum));
        }

        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>The dampening of momentum.</summary>
    public float Dampening { get; }

    /// <summary>The L2 penalty.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    private static readonly string[] MomentumState = ["momentum_buffer"];

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames => Momentum == 0f ? [] : MomentumState;

    /// <inheritdoc/>
    protected override int ScratchSlots => Momentum == 0f && WeightDecay != 0f ? 1 : 0;

    /// <inheritdoc/>
    protected override void Update(int index, int start, Span<float> param, ReadOnlySpan<float> grad)
    {
        if (Momentum == 0f)
        {
            if (WeightDecay != 0f)
            {
                var decayed = Scratch(index, start, param.Length);
                TensorPrimitives.MultiplyAdd(param, WeightDecay, grad, decayed);
                grad = decayed;
            }

            TensorPrimitives.MultiplyAdd(grad, -LearningRate, param, param);
            return;
        }

        var buffer = Buffer(index, "momentum_buffer", start, param.Length);
        var first = IsFirstUpdate(index);
        Elementwise.Update(param, grad, buffer, new SgdMomentumOperator(LearningRate, Momentum, WeightDecay, first ? 0f : Momentum, first ? 1f : 1f - Dampening, Nesterov));
    }
}

using System.Numerics.Tensors;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// Adam, as torch.optim.Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr·m̂/(√v̂ + ε) with
/// bias-corrected m̂, v̂; weight decay, when set, is an L2 term added to g. <see cref="AdamW"/> decays
/// the weights directly instead.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="beta1">β₁, the decay of the first moment.</param>
    /// <param name="beta2">β₂, the decay of the second moment.</param>
    /// <param name="eps">ε, added to √v̂.</param>
    /// <param name="weightDecay">The L2 penalty (Adam) or decoupled decay (AdamW).</param>
    public Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : base(parameters, learningRate)
    {
        if (!(beta1 >= 0f && beta1 < 1f && beta2 >= 0f && beta2 < 1f && eps >= 0f && weightDecay >= 0f))
        {
            throw new ArgumentException($"{GetType().Name}: betas ({beta1}, {beta2}) must be in [0, 1); eps {eps} and weight decay {weightDecay} must be >= 0.", nameof(beta1));
        }

        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>The weight decay.</summary>
    public float WeightDecay { get; }

    /// <summary>True when weight decay is decoupled from the gradient (AdamW).</summary>
    protected virtual bool DecoupledWeightDecay => false;

    private static readonly string[] MomentState = ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames => MomentState;

    /// <inheritdoc/>
    protected override int ScratchSlots => 1;

    /// <inheritdoc/>
    protected override void Update(int index, int start, Span<float> param, ReadOnlySpan<float> grad)
    {
        var scratch = Scratch(index, start, param.Length);
        if (WeightDecay != 0f)
        {
            if (DecoupledWeightDecay)
            {
                TensorPrimitives.Multiply(param, 1f - (LearningRate * WeightDecay), param);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(param, WeightDecay, grad, scratch);
                grad = scratch;
            }
        }

        var m = Buffer(index, "exp_avg", start, param.Length);
        var v = Buffer(index, "exp_avg_sq", start, param.Length);
        TensorPrimitives.Multiply(m, Beta1, m);
        TensorPrimitives.MultiplyAdd(grad, 1f - Beta1, m, m);
        TensorPrimitives.Multiply(v, Beta2, v);
        TensorPrimitives.Multiply(grad, grad, scratch);
        TensorPrimitives.MultiplyAdd(scratch, 1f - Beta2, v, v);

        var t = StepCount;
        var biasCorrection1 = 1.0 - Math.Pow(Beta1, t);
        var biasCorrection2 = 1.0 - Math.Pow(Beta2, t);
        var stepSize = (float)(LearningRate / biasCorrection1);
        var sqrtBc2 = (float)Math.Sqrt(biasCorrection2);

        // denom = √v / √bc2 + ε; p ← p − stepSize·m/denom
        TensorPrimitives.Sqrt(v, scratch);
        TensorPrimitives.Divide(scratch, sqrtBc2, scratch);
        TensorPrimitives.Add(scratch, Eps, scratch);
        TensorPrimitives.Divide(m, scratch, scratch);
        TensorPrimitives.MultiplyAdd(scratch, -stepSize, param, param);
    }
}

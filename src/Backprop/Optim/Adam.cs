using Backprop.Kernels.Elementwise;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// Adam, as torch.optim.Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr·m̂/(√v̂ + ε) with
/// bias-corrected m̂, v̂; weight decay, when set, is an L2 term added to g. <see cref="AdamW"/> decays
/// the weights directly instead.
/// </summary>
public class Adam : Optimizer
{
    private static readonly string[] OptionNames = ["lr", "beta1", "beta2", "eps", "weight_decay"];
    private static readonly string[] MomentState = ["exp_avg", "exp_avg_sq"];

    /// <summary>Makes the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="beta1">β₁, the decay of the first moment.</param>
    /// <param name="beta2">β₂, the decay of the second moment.</param>
    /// <param name="eps">ε, added to √v̂.</param>
    /// <param name="weightDecay">The L2 penalty (Adam) or decoupled decay (AdamW).</param>
    public Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, eps, weightDecay)
    {
    }

    /// <summary>Makes the optimizer over parameter groups; each group may set "lr", "beta1", "beta2", "eps" and "weight_decay".</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="beta1">The default β₁.</param>
    /// <param name="beta2">The default β₂.</param>
    /// <param name="eps">The default ε.</param>
    /// <param name="weightDecay">The default weight decay.</param>
    public Adam(IEnumerable<ParamGroup> groups, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : base(groups, OptionNames, [learningRate, beta1, beta2, eps, weightDecay])
    {
        foreach (var group in ParamGroups)
        {
            float b1 = group["beta1"], b2 = group["beta2"], e = group["eps"], wd = group["weight_decay"];
            if (!(b1 >= 0f && b1 < 1f && b2 >= 0f && b2 < 1f && e >= 0f && wd >= 0f))
            {
                throw new ArgumentException($"{GetType().Name}: betas ({b1}, {b2}) must be in [0, 1); eps {e} and weight decay {wd} must be >= 0.", nameof(beta1));
            }
        }
    }

    /// <summary>True when weight decay is decoupled from the gradient (AdamW).</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames(float[] options) => MomentState;

    /// <inheritdoc/>
    protected override int ScratchSlots(float[] options) => 0;

    /// <inheritdoc/>
    protected override void Update(int index, int start, Span<float> param, ReadOnlySpan<float> grad)
    {
        var o = Options(index);
        float lr = o[0], beta1 = o[1], beta2 = o[2], eps = o[3], weightDecay = o[4];
        var t = StepCount;
        var biasCorrection1 = 1.0 - Math.Pow(beta1, t);
        var biasCorrection2 = 1.0 - Math.Pow(beta2, t);
        var stepSize = (float)(lr / biasCorrection1);
        var sqrtBc2 = (float)Math.Sqrt(biasCorrection2);
        var m = Buffer(index, "exp_avg", start, param.Length);
        var v = Buffer(index, "exp_avg_sq", start, param.Length);
        Elementwise.Update(param, grad, m, v, new AdamOperator(beta1, beta2, eps, weightDecay, 1f - (lr * weightDecay), DecoupledWeightDecay, stepSize, sqrtBc2));
    }
}

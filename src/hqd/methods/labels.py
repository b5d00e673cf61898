"""Every catalogue method's name and one-line description in Chinese, for ``hqd methods``, the API and the
docs (the English one-liner is the first line of the method's docstring).  A test keeps this table and the
catalogue in step: every method has an entry, no entry names a method that does not exist, and the Chinese
text has no English words.
"""

from __future__ import annotations

#: (family, name) → (Chinese name, Chinese one-line description).
LABELS_ZH: dict[tuple[str, str], tuple[str, str]] = {
    ("denominate", "divide"): ("除以分母", "指标值除以框架中的分母列（或给定的映射）再乘以比例系数。"),
    ("denominate", "none"): ("不做分母处理", "按原值使用。"),
    ("impute", "group_mean"): ("组内均值插补", "缺失值取其所在组已观测值的均值。"),
    ("impute", "group_median"): ("组内中位数插补", "缺失值取其所在组已观测值的中位数。"),
    ("impute", "linear"): ("线性插值", "在每个地区和指标的时间序列内按年份线性插值（内部缺口；两端可选就近填补）。"),
    ("impute", "locf"): ("前值填补", "沿时间向后沿用最近一期观测值；序列开头的缺口保留。"),
    ("impute", "mean"): ("均值插补", "缺失值取该指标全部地区已观测值的均值（同年或全部年份合并）。"),
    ("impute", "median"): ("中位数插补", "缺失值取该指标全部地区已观测值的中位数（同年或全部年份合并）。"),
    ("impute", "nocb"): ("后值回填", "沿时间向前用下一期观测值回填；序列末尾的缺口保留。"),
    ("impute", "none"): ("不插补", "缺失值保持缺失。"),
    ("screen", "availability"): ("数据可得性筛选", "剔除指标数据完整率低于阈值的地区（或地区年份）。"),
    ("screen", "none"): ("不筛选", "保留全部地区。"),
    ("treat", "coinr_winsorise"): ("偏度峰度检验缩尾", "按偏度和峰度检验逐步缩尾，超过次数上限时改用对数变换。"),
    ("treat", "log"): ("对数变换", "对每个指标取对数（或平移后取对数）。"),
    ("treat", "none"): ("不处理异常值", "按原值使用。"),
    ("treat", "percentile_clip"): ("分位数缩尾", "把每个指标截断到给定的上下分位数之间。"),
    ("normalise", "distance_to_target"): ("目标距离标准化", "按与目标值的距离标准化，负向指标取镜像。"),
    ("normalise", "goalposts"): ("阈值法", "按固定的上下限标准化（人类发展指数的做法），负向指标取镜像。"),
    ("normalise", "minmax"): ("极差标准化", "按正负方向做极差标准化，映射到给定区间。"),
    ("normalise", "none"): ("不标准化", "数据已标准化且方向一致，仅检查方向。"),
    ("normalise", "percentile_rank"): ("百分位排序", "按方向排序后的百分位（零到一之间，并列取平均名次）。"),
    ("normalise", "rank"): ("排序", "按方向在本列中排序，最差为一，并列取平均名次。"),
    ("normalise", "ratio_to_base"): ("定基指数", "正向指标除以基期值，负向指标取倒数比，再乘以比例系数。"),
    ("normalise", "vector"): ("向量归一化", "每个指标除以其平方和的平方根；负向指标取一减该值。"),
    ("normalise", "zscore"): ("标准差标准化", "按方向减去均值、除以样本标准差，再平移缩放。"),
    ("weight", "ahp"): ("层次分析法", "由判断矩阵求权重，给出最大特征根、一致性指标与一致性比率。"),
    ("weight", "combined"): ("组合赋权", "两组权重线性加权组合或乘法合成。"),
    ("weight", "critic"): ("指标相关性权重法", "按对比强度（标准差）与冲突性（一减相关系数之和）确定权重。"),
    ("weight", "cv"): ("变异系数法", "按各指标变异系数占比确定权重（即信息量权数法）。"),
    ("weight", "entropy"): ("熵权法", "按各指标信息熵的冗余度确定权重。"),
    ("weight", "equal"): ("等权", "各指标权重相等。"),
    ("weight", "game_theory"): ("博弈论组合赋权", "求两组权重的最优组合系数，使组合权重与各组权重的离差最小。"),
    ("weight", "independence"): ("独立性权数法", "按各指标对其他指标复相关系数的倒数确定权重。"),
    ("weight", "manual"): ("给定权重", "使用框架或专家给定的权重，并归一化。"),
    ("weight", "pca"): ("主成分分析法", "按相关矩阵第一主成分载荷（或方差贡献加权）确定权重。"),
    ("weight", "scatter_degree"): ("纵横向拉开档次法", "求使面板总离散度最大的权重（交叉积矩阵最大特征根对应的特征向量）。"),
    ("weight", "std"): ("标准差法", "按各指标标准差占比确定权重（仅适用于标准化后的数据）。"),
    ("aggregate", "arithmetic"): ("加权算术平均", "子指标的加权算术平均（缺失值不计入）。"),
    ("aggregate", "generalised"): ("加权幂平均", "子指标的加权幂平均，幂为零时即几何平均。"),
    ("aggregate", "geometric"): ("加权几何平均", "子指标的加权几何平均。"),
    ("aggregate", "harmonic"): ("加权调和平均", "子指标的加权调和平均。"),
    ("aggregate", "topsis"): ("逼近理想解法", "按与正负理想解的距离计算相对贴近度（熵权逼近理想解法）。"),
}


def label(family: str, name: str, lang: str = "zh") -> tuple[str, str]:
    """``(name, one-line description)`` of a catalogue method in ``lang`` (English: the name and docstring)."""
    from hqd.methods import catalog

    method = catalog.get(family, name)
    if lang == "zh":
        return LABELS_ZH.get((method.family, method.name), (method.name, method.doc))
    return method.name, method.doc

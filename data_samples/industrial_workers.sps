* Multiple-response sets for the .sav of the same name (worker-survey).
* Open the .sav, then run this file.

COMPUTE concerns__income_any = concerns__income > 0.
VARIABLE LABELS concerns__income_any '工资收入'.
COMPUTE concerns__medical_any = concerns__medical > 0.
VARIABLE LABELS concerns__medical_any '看病就医'.
COMPUTE concerns__children_education_any = concerns__children_education > 0.
VARIABLE LABELS concerns__children_education_any '子女教育'.
COMPUTE concerns__housing_any = concerns__housing > 0.
VARIABLE LABELS concerns__housing_any '住房'.
COMPUTE concerns__career_growth_any = concerns__career_growth > 0.
VARIABLE LABELS concerns__career_growth_any '职业成长与发展'.
COMPUTE concerns__skills_training_any = concerns__skills_training > 0.
VARIABLE LABELS concerns__skills_training_any '技能培训与提升'.
COMPUTE concerns__cultural_life_any = concerns__cultural_life > 0.
VARIABLE LABELS concerns__cultural_life_any '精神文化生活'.
COMPUTE concerns__rights_protection_any = concerns__rights_protection > 0.
VARIABLE LABELS concerns__rights_protection_any '劳动权益维护'.
COMPUTE concerns__reform_any = concerns__reform > 0.
VARIABLE LABELS concerns__reform_any '国家和企业改革发展'.
COMPUTE concerns__job_security_any = concerns__job_security > 0.
VARIABLE LABELS concerns__job_security_any '就业岗位稳定'.
COMPUTE concerns__equal_pay_any = concerns__equal_pay > 0.
VARIABLE LABELS concerns__equal_pay_any '同工同酬'.
COMPUTE concerns__safety_health_any = concerns__safety_health > 0.
VARIABLE LABELS concerns__safety_health_any '劳动安全卫生'.
COMPUTE concerns__social_insurance_any = concerns__social_insurance > 0.
VARIABLE LABELS concerns__social_insurance_any '社会保险与社会保障'.
COMPUTE concerns__status_change_any = concerns__status_change > 0.
VARIABLE LABELS concerns__status_change_any '身份转变（落户、成为城里人）'.
COMPUTE concerns__hours_rest_any = concerns__hours_rest > 0.
VARIABLE LABELS concerns__hours_rest_any '工作时间与休息休假'.
COMPUTE concerns__other_any = concerns__other > 0.
VARIABLE LABELS concerns__other_any '其他（请注明）'.
EXECUTE.

MRSETS
  /MDGROUP NAME=$expense_pressure LABEL='您家里哪些方面的开支压力最大？（最多选3项）'
    CATEGORYLABELS=VARLABELS VARIABLES=expense_pressure__medical expense_pressure__children_education expense_pressure__housing expense_pressure__elder_care expense_pressure__daily_living expense_pressure__commuting expense_pressure__social_obligations expense_pressure__debt expense_pressure__none VALUE=1
  /MDGROUP NAME=$concerns LABEL='当前您最关心的问题是哪些？'
    CATEGORYLABELS=VARLABELS VARIABLES=concerns__income_any concerns__medical_any concerns__children_education_any concerns__housing_any concerns__career_growth_any concerns__skills_training_any concerns__cultural_life_any concerns__rights_protection_any concerns__reform_any concerns__job_security_any concerns__equal_pay_any concerns__safety_health_any concerns__social_insurance_any concerns__status_change_any concerns__hours_rest_any concerns__other_any VALUE=1
  /MDGROUP NAME=$concerns_first LABEL='当前您最关心的问题是哪些？ (1)'
    CATEGORYLABELS=VARLABELS VARIABLES=concerns__income concerns__medical concerns__children_education concerns__housing concerns__career_growth concerns__skills_training concerns__cultural_life concerns__rights_protection concerns__reform concerns__job_security concerns__equal_pay concerns__safety_health concerns__social_insurance concerns__status_change concerns__hours_rest concerns__other VALUE=1
  /MDGROUP NAME=$hazards LABEL='您在工作中经常接触以下哪些危害或风险？（可多选）'
    CATEGORYLABELS=VARLABELS VARIABLES=hazards__noise hazards__dust hazards__chemicals hazards__heat_cold hazards__heavy_load hazards__machinery hazards__height hazards__electrical hazards__traffic hazards__posture hazards__none VALUE=1
  /MDGROUP NAME=$insurance LABEL='您目前参加了以下哪些社会保险或保障？（可多选）'
    CATEGORYLABELS=VARLABELS VARIABLES=insurance__employee_pension insurance__resident_pension insurance__employee_medical insurance__resident_medical insurance__work_injury insurance__unemployment insurance__maternity insurance__housing_fund insurance__platform_injury insurance__none insurance__dont_know VALUE=1
  /MDGROUP NAME=$children_school_difficulty LABEL='您的子女上学主要遇到了哪些困难？（可多选）'
    CATEGORYLABELS=VARLABELS VARIABLES=children_school_difficulty__enrolment children_school_difficulty__fees children_school_difficulty__quality children_school_difficulty__exams children_school_difficulty__no_care children_school_difficulty__left_behind children_school_difficulty__tutoring children_school_difficulty__none children_school_difficulty__other VALUE=1
  /MDGROUP NAME=$change_reasons LABEL='您上一次换工作的主要原因是什么？（最多选2项）'
    CATEGORYLABELS=VARLABELS VARIABLES=change_reasons__low_pay change_reasons__long_hours change_reasons__conditions change_reasons__no_prospects change_reasons__skills_unrewarded change_reasons__better_offer change_reasons__contract_ended change_reasons__unpaid_wages change_reasons__family change_reasons__other VALUE=1
  /MDGROUP NAME=$platforms LABEL='您经常使用以下哪些网络平台或应用？（可多选）'
    CATEGORYLABELS=VARLABELS VARIABLES=platforms__wechat platforms__weibo platforms__douyin platforms__kuaishou platforms__channels platforms__bilibili platforms__xiaohongshu platforms__qq platforms__toutiao platforms__union_app platforms__none VALUE=1
  /MDGROUP NAME=$employer_practices LABEL='您所在单位有以下哪些技能人才培养和激励做法？（可多选）'
    CATEGORYLABELS=VARLABELS VARIABLES=employer_practices__training_plan employer_practices__skill_pay employer_practices__cert_bonus employer_practices__promotion_ladder employer_practices__apprenticeship employer_practices__skills_contest employer_practices__none employer_practices__dont_know VALUE=1
  /MDGROUP NAME=$union_reasons_not LABEL='您目前没有加入工会的原因是什么？（可多选）'
    CATEGORYLABELS=VARLABELS VARIABLES=union_reasons_not__no_union union_reasons_not__dont_know_how union_reasons_not__not_useful union_reasons_not__unaware union_reasons_not__job_mobile union_reasons_not__employer_against union_reasons_not__no_time union_reasons_not__fee union_reasons_not__other VALUE=1
  /MDGROUP NAME=$union_services LABEL='您最希望工会提供哪些服务？（最多选3项）'
    CATEGORYLABELS=VARLABELS VARIABLES=union_services__rights union_services__wage_bargaining union_services__training union_services__hardship union_services__mutual_insurance union_services__childcare union_services__culture_sports union_services__rest_stations union_services__housing_help union_services__social_matchmaking union_services__voice union_services__other VALUE=1
  /DISPLAY NAME=[ALL].
